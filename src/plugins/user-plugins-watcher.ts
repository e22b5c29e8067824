import {mkdir} from 'node:fs/promises'
import path from 'node:path'
import type {FSWatcher} from 'chokidar'
import type {Logger} from '../log/logger.js'
import {userPluginsManifestPath} from './user-plugins.js'

/**
 * Watches the user plugins manifest, which `steward plugins install|link|uninstall` rewrite, and
 * calls back once its writes have settled. The folder is watched rather than the file, so a
 * manifest replaced by rename, or created by the first install, is seen too.
 */
export class UserPluginsWatcher {
  private watcher: FSWatcher | undefined
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly onChange: () => void,
    private readonly log: Logger,
    private readonly manifest = userPluginsManifestPath(),
    /** npm rewrites the manifest in place in steps: wait this long after the last write. */
    private readonly settleMs = 150,
  ) {}

  async start(): Promise<void> {
    const {watch} = await import('chokidar')
    // The data folder may not exist before the first install; the host makes it so it can watch it.
    const dir = path.dirname(this.manifest)
    await mkdir(dir, {recursive: true})
    const watcher = watch(dir, {depth: 0, ignoreInitial: true})
    this.watcher = watcher
    for (const event of ['add', 'change', 'unlink'] as const) {
      watcher.on(event, (file: string) => {
        if (path.resolve(file) !== this.manifest) return
        clearTimeout(this.timer)
        this.timer = setTimeout(() => this.onChange(), this.settleMs)
      })
    }
    watcher.on('error', (error) => this.log.warn('user plugins watcher failed', {error}))
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()))
  }

  async close(): Promise<void> {
    clearTimeout(this.timer)
    await this.watcher?.close()
  }
}
