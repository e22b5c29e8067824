import path from 'node:path'
import type {FSWatcher} from 'chokidar'
import type {Logger} from '../log/logger.js'

/** A saved change to a plugin: its directory and the file that changed last. */
export interface PluginChange {
  pluginDir: string
  file: string
}

export interface PluginWatcherOptions {
  onChange: (change: PluginChange) => void
  log: Logger
  /** Changes to one plugin closer together than this make one reload. @default 50 */
  debounceMs?: number
}

// Editors' swap and backup files, temp files, and what a reload must never follow.
const IGNORED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'coverage'])
const IGNORED_FILE = /(^\.#|^#.*#$|~$|\.sw[a-p]$|\.tmp$|\.temp$|\.bak$|^4913$|\.crdownload$)/

/** Whether a path under a plugin directory is noise rather than source. */
export function isIgnoredPath(file: string): boolean {
  const parts = file.split(path.sep)
  const base = parts.at(-1) ?? ''
  return parts.some((part) => IGNORED_DIRS.has(part)) || (base.startsWith('.') && base !== '.') || IGNORED_FILE.test(base)
}

/**
 * Watches plugin directories and reports, once per burst of saves, which plugin changed and
 * through which file. Editors that save by writing a temp file and renaming it (vim, JetBrains)
 * make an unlink and an add, or several events: the per-plugin debounce folds them into one.
 */
export class PluginWatcher {
  private watcher: FSWatcher | undefined
  private readonly dirs = new Set<string>()
  private readonly timers = new Map<string, NodeJS.Timeout>()

  constructor(private readonly options: PluginWatcherOptions) {}

  /** Watch more plugin directories (those already watched are skipped). The first call resolves once watching. */
  async watch(pluginDirs: Iterable<string>): Promise<void> {
    const added = [...pluginDirs].map((dir) => path.resolve(dir)).filter((dir) => !this.dirs.has(dir))
    if (added.length === 0) return
    for (const dir of added) this.dirs.add(dir)
    if (this.watcher === undefined) {
      const {watch} = await import('chokidar')
      const watcher = watch(added, {ignored: (file) => isIgnoredPath(file), ignoreInitial: true, atomic: true})
      this.watcher = watcher
      for (const event of ['add', 'change', 'unlink'] as const) watcher.on(event, (file: string) => this.changed(file))
      watcher.on('error', (error) => this.options.log.warn('plugin watcher failed', {error}))
      await new Promise<void>((resolve) => watcher.once('ready', () => resolve()))
    } else {
      // chokidar says 'ready' once only; later directories are watched within moments.
      this.watcher.add(added)
    }
  }

  async close(): Promise<void> {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
    await this.watcher?.close()
    this.watcher = undefined
  }

  private changed(file: string): void {
    const pluginDir = this.pluginDirOf(path.resolve(file))
    if (pluginDir === undefined) return
    clearTimeout(this.timers.get(pluginDir))
    this.timers.set(
      pluginDir,
      setTimeout(() => {
        this.timers.delete(pluginDir)
        this.options.onChange({pluginDir, file: path.resolve(file)})
      }, this.options.debounceMs ?? 50),
    )
  }

  /** The deepest watched directory that holds the file. */
  private pluginDirOf(file: string): string | undefined {
    let found: string | undefined
    for (const dir of this.dirs) {
      if ((file === dir || file.startsWith(dir + path.sep)) && (found === undefined || dir.length > found.length)) found = dir
    }
    return found
  }
}
