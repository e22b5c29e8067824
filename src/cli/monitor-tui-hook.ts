import {fileURLToPath} from 'node:url'
import type {StewardConfig} from '../config/load-config.js'
import type {MonitorModel} from '../monitor/telemetry.js'

/** A model that changes, as the monitor client gives it (src/tui/monitor-source.ts's MonitorSource). */
export interface LiveMonitorModel {
  current(): MonitorModel
  subscribe(listener: (model: MonitorModel) => void): () => void
}

/**
 * The interactive dashboard of `steward monitor` in a terminal: `src/tui/run-monitor-tui.ts(x)`
 * exports `runMonitorTui`, which draws the model until the user quits, and resolves then. The
 * configuration is for the actions (enable/disable through the store, reload and calls through
 * RPC). The command closes the model's sockets afterwards.
 */
export interface MonitorTuiModule {
  runMonitorTui(source: LiveMonitorModel, context: {config: StewardConfig}): Promise<void>
}

/** Where the TUI's entry is, relative to this file (dist/cli → dist/tui). */
const TUI_ENTRY = '../tui/run-monitor-tui.js'

/**
 * Load the dashboard, lazily (Ink and React only for a terminal). Undefined until that module
 * exists: `steward monitor` then prints log lines as it does when stdout is not a terminal.
 */
export async function loadMonitorTui(): Promise<MonitorTuiModule | undefined> {
  // A variable, so TypeScript does not require the module to exist yet.
  const entry: string = TUI_ENTRY
  try {
    const loaded = (await import(entry)) as Partial<MonitorTuiModule>
    return typeof loaded.runMonitorTui === 'function' ? (loaded as MonitorTuiModule) : undefined
  } catch (error) {
    const {code, message} = error as {code?: unknown; message?: unknown}
    // Only the entry itself missing; a dependency of it that is missing is an error to show.
    const missing = `Cannot find module '${fileURLToPath(new URL(TUI_ENTRY, import.meta.url))}'`
    if (code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.startsWith(missing)) return undefined
    throw error
  }
}
