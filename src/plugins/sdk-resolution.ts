import {register} from 'node:module'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {packageRoot} from './package-root.js'

let registered = false

/**
 * Make `import 'steward'` (and `'steward/cli'`) in plugin code resolve to this steward's SDK,
 * wherever the plugin is installed (once per thread).
 */
export function registerSdkResolution(): void {
  if (registered) return
  registered = true
  const dist = path.join(packageRoot, 'dist')
  register(pathToFileURL(path.join(dist, 'plugins', 'sdk-resolve-hook.js')), {
    data: {
      sdkUrl: pathToFileURL(path.join(dist, 'index.js')).href,
      cliUrl: pathToFileURL(path.join(dist, 'cli', 'index.js')).href,
    },
  })
}
