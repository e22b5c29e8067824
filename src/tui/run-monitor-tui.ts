/**
 * Run the monitor's terminal UI until the user quits. Ink and React load here, on first use, so
 * commands that never draw (and `--help`) do not pay for them.
 */
import {createRequire} from 'node:module'
import {installFastInkFrames} from './ink-frame.js'
import type {Actions, MonitorSource} from './monitor-source.js'

export interface RunMonitorTuiOptions {
  stdout?: NodeJS.WriteStream
  stdin?: NodeJS.ReadStream
  stderr?: NodeJS.WriteStream
  /** Draw on the alternate screen and give the terminal back as it was. @default stdout.isTTY */
  alternateScreen?: boolean
  /**
   * Paints per second at most for model changes; Ink's own writes (keys, prompts) are capped at
   * twice this. @default 10
   */
  maxFps?: number
  /**
   * Signals that end the UI; the promise then resolves and the caller stops what it runs. Other
   * listeners of them still run. @default ['SIGINT', 'SIGTERM', 'SIGHUP']
   */
  signals?: readonly NodeJS.Signals[]
  /** Ends the UI when aborted, as q does (the host it shows stopped on its own). */
  signal?: AbortSignal
  /** A line shown in the status bar until the first action's. */
  notice?: string
}

const ENTER_ALTERNATE_SCREEN = '\u001B[?1049h\u001B[H'
const LEAVE_ALTERNATE_SCREEN = '\u001B[?1049l'
const SHOW_CURSOR = '\u001B[?25h'
const CLEAR_SCREEN = '\u001B[2J\u001B[H'

/**
 * Draw `source` and act through `actions` until `q`, Ctrl-C or one of `signals`. The terminal is
 * restored on every way out: those, an error the UI throws (shown first, then rethrown here once
 * the terminal is back), and an uncaught exception elsewhere (restored before Node prints it).
 */
export async function runMonitorTui(source: MonitorSource, actions: Actions, options: RunMonitorTuiOptions = {}): Promise<void> {
  preloadProductionReact()
  const [{render}, {createElement}, {App}] = await Promise.all([
    import('ink'),
    import('react'),
    import('./components/App.js'),
    // Ink 6.8 builds each frame cell by cell; this builds the same frames from what was written
    // (src/tui/ink-frame.ts). STEWARD_TUI_INK_FRAMES=ink keeps Ink's own, to compare.
    process.env.STEWARD_TUI_INK_FRAMES === 'ink' ? undefined : installFastInkFrames(),
  ])
  const stdout = options.stdout ?? process.stdout
  const alternate = options.alternateScreen ?? stdout.isTTY === true
  const maxFps = options.maxFps ?? 10
  const signals = options.signals ?? ['SIGINT', 'SIGTERM', 'SIGHUP']
  let failure: Error | undefined
  let restored = false
  const restore = () => {
    if (restored) return
    restored = true
    if (alternate) stdout.write(SHOW_CURSOR + LEAVE_ALTERNATE_SCREEN)
  }
  // A resize can leave parts of the old frame where the new, differently shaped one does not
  // draw; start from a blank screen (registered before Ink's listener, so it runs first).
  const onResize = () => {
    if (alternate) stdout.write(CLEAR_SCREEN)
  }

  let instance: ReturnType<typeof render> | undefined
  // On a crash or an exit, Node emits 'exit' before it prints the error, and Ink paints its last
  // frame then: unmount first, so that frame goes to the alternate screen, not over the terminal.
  const abandon = () => {
    instance?.unmount()
    restore()
  }

  if (alternate) stdout.write(ENTER_ALTERNATE_SCREEN)
  stdout.on('resize', onResize)
  process.on('uncaughtExceptionMonitor', abandon)
  process.on('exit', abandon)
  const detach = () => {
    stdout.off('resize', onResize)
    process.off('uncaughtExceptionMonitor', abandon)
    process.off('exit', abandon)
  }
  try {
    const app = createElement(App, {
      source,
      actions,
      paintIntervalMs: Math.ceil(1000 / maxFps),
      ...(options.notice === undefined ? {} : {notice: options.notice}),
      onError: (error: Error) => {
        failure = error
      },
    })
    instance = render(app, {
      stdout,
      ...(options.stdin === undefined ? {} : {stdin: options.stdin}),
      ...(options.stderr === undefined ? {} : {stderr: options.stderr}),
      // The dashboard handles Ctrl-C itself, in every mode, through the same way out as q.
      exitOnCtrlC: false,
      // Model changes are already at most maxFps (useThrottledModel). Ink's throttle restarts its
      // window on every call inside it, so at the same rate it held back each model paint that
      // came just under an interval after Ink's last write, by up to one more interval, and then
      // wrote two frames at once; with half the window, model paints are written when they come.
      maxFps: maxFps * 2,
    })
  } catch (error) {
    detach()
    restore()
    throw error
  }
  const mounted = instance
  const onSignal = () => mounted.unmount()
  for (const signal of signals) process.on(signal, onSignal)
  options.signal?.addEventListener('abort', onSignal)
  if (options.signal?.aborted === true) onSignal()
  try {
    await mounted.waitUntilExit()
  } finally {
    for (const signal of signals) process.off(signal, onSignal)
    options.signal?.removeEventListener('abort', onSignal)
    detach()
    restore()
  }
  if (failure !== undefined) throw failure
}

/**
 * Load React's production build unless NODE_ENV names a mode. React picks its build from NODE_ENV
 * when first loaded, and steward runs without one, which means the development build: in React 19
 * it records a stack for every element, several times the cost of a paint. NODE_ENV is set only
 * for these synchronous requires and removed again, so nothing else in the process (plugins, the
 * workers a host starts) sees it; `import` then finds the modules in the CommonJS cache.
 */
export function preloadProductionReact(): void {
  if (process.env.NODE_ENV !== undefined) return
  process.env.NODE_ENV = 'production'
  try {
    const fromHere = createRequire(import.meta.url)
    fromHere('react')
    fromHere('react/jsx-runtime')
    // Ink's own copy of the reconciler (and the scheduler it requires when Ink creates it),
    // wherever npm put them.
    const fromInk = createRequire(fromHere.resolve('ink'))
    fromInk('react-reconciler')
    createRequire(fromInk.resolve('react-reconciler'))('scheduler')
  } catch {
    // A layout this does not foresee: the development build, slower but the same UI.
  } finally {
    delete process.env.NODE_ENV
  }
}
