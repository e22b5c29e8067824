import type {Hook} from '@oclif/core'
import {registerSdkResolution} from '../plugins/sdk-resolution.js'

/**
 * oclif's init hook: before a plugin's command is loaded, make its `import … from 'steward/cli'`
 * (and 'steward') resolve to this steward, wherever the plugin is installed. steward's own
 * commands, and oclif's, skip it.
 */
const hook: Hook.Init = async function ({id, config}) {
  if (id === undefined) return
  const plugin = config.findCommand(id)?.pluginName
  if (plugin !== undefined && plugin !== config.pjson.name && !plugin.startsWith('@oclif/')) registerSdkResolution()
}

export default hook
