import {Args, Flags} from '@oclif/core'
import {StewardCommand} from '../cli/base-command.js'
import type {StewardConfig} from '../config/load-config.js'
import {apiSettings, type ApiName} from '../api/api-settings.js'
import {curlExample} from '../api/curl-example.js'
import {describeError, isStewardError, type SerializedError} from '../errors/index.js'
import type {LogRecord} from '../log/logger.js'
import type {Host} from '../service/host.js'

export default class Start extends StewardCommand {
  static override summary = 'Run a host with its services in the foreground.'
  static override description = `Runs the services of the given topics (or of the "services" option) in this process. In a terminal it shows the host's dashboard (the same as "steward monitor", for this host only; docs/tui.md): q or Ctrl-C there stops the host. Otherwise, or with --no-dashboard, it logs what the services do on stdout. Ctrl-C or SIGTERM stops them gracefully (in-flight work finishes within graceful_shutdown_timeout) and their records read "stopped"; a second signal exits at once, leaving them to read "down" after service_down_time. SIGHUP reads the configuration again and reloads the services' plugins without dropping calls. With --detach the host runs in the background, logging to <state_dir>/logs/<host>.log (docs/daemon.md); "steward status", "steward logs" and "steward stop" find it. A host of a name that already runs with the state directory is refused (HOST_ALREADY_RUNNING).`
  static override strict = false
  static override examples = [
    '<%= config.bin %> start',
    '<%= config.bin %> start sysinfo --host node1',
    {description: 'Log lines instead of the dashboard, in a terminal too:', command: '<%= config.bin %> start --no-dashboard'},
    'STEWARD_REPORT_INTERVAL=2 <%= config.bin %> start sysinfo --state-dir /tmp/steward',
    {description: 'In the background; then follow its log and stop it:', command: '<%= config.bin %> start sysinfo api --host node1 --detach && <%= config.bin %> logs --host node1 -f'},
    {description: 'Reload the configuration and plugins of a running host:', command: 'kill -HUP $(cat ~/.local/state/steward/run/node1.pid)'},
  ]

  static override args = {
    topics: Args.string({description: 'Topics to run (default: the "services" option).'}),
  }

  static override flags = {
    host: Flags.string({summary: 'Name of this host (default: the machine host name).'}),
    dashboard: Flags.boolean({summary: 'Show the dashboard when stdout is a terminal.', default: true, allowNo: true}),
    detach: Flags.boolean({char: 'd', summary: 'Run the host in the background (logs in <state_dir>/logs/<host>.log; stop it with steward stop).'}),
    // The background process that --detach starts: logs to its file and reports its start over IPC.
    'daemon-child': Flags.boolean({hidden: true}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Start)
    const optionFlags = flags.host === undefined ? {} : {host: flags.host}
    const config = this.loadConfig(flags, optionFlags)
    if (flags.detach) {
      const {detach} = await import('../cli/detach.js')
      const started = await detach(config, this.argv)
      this.log(`Host ${started.host} runs in the background (pid ${started.pid}).\n  log:  ${started.logFile}\n  stop: ${this.config.bin} stop --host ${started.host}`)
      return
    }
    const daemon = flags['daemon-child']
    // Loaded here, not at the top, so other commands never pay for the runtime.
    const [{Host}, {createLogger}, {handleSignals}, {RotatingFile, hostLogPath}, {reportToStarter}] = await Promise.all([
      import('../service/host.js'),
      import('../log/logger.js'),
      import('../service/launcher/signal-handlers.js'),
      import('../log/rotating-file.js'),
      import('../cli/detach.js'),
    ])
    const {options} = config
    const logFile = daemon ? new RotatingFile({file: hostLogPath(options.state_dir, options.host), maxSize: options.log_file_max_size, maxFiles: options.log_file_max_files}) : undefined
    // While the dashboard is up its Logs view shows the lines, and stdout is the dashboard's.
    let onScreen = true
    // Once the terminal is gone (closed: writes fail with EIO), nothing is written to it any more
    // and the host stops gracefully, rather than dying of an unhandled error.
    let gone = false
    let onTerminalGone = (): void => undefined
    const terminalGone = (): void => {
      if (gone) return
      gone = true
      process.stdout.write = ((_chunk: unknown, encoding?: unknown, callback?: unknown) => {
        const done = typeof encoding === 'function' ? encoding : callback
        if (typeof done === 'function') queueMicrotask(() => (done as () => void)())
        return true
      }) as typeof process.stdout.write
      onTerminalGone()
    }
    if (logFile === undefined && process.stdout.isTTY) {
      // oclif's own listener swallows EPIPE and throws anything else, EIO included.
      process.stdout.removeAllListeners('error')
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EIO') terminalGone()
        else if (error.code !== 'EPIPE') throw error
      })
    }
    // The host adds its telemetry feed's listener, so monitors get every line.
    const logListeners: Array<(record: LogRecord) => void> = []
    const log = createLogger({
      // Read at every line: a SIGHUP that changes them in the configuration applies them.
      get level() {
        return options.log_level
      },
      get format() {
        return options.log_format
      },
      listeners: logListeners,
      write:
        logFile === undefined
          ? (line) => {
              if (!onScreen || gone) return
              try {
                process.stdout.write(line)
              } catch {
                terminalGone()
              }
            }
          : (line) => logFile.write(line),
    })
    const failed = async (error: unknown): Promise<never> => {
      if (daemon) await reportToStarter({type: 'failed', error: serialize(error)})
      throw error
    }
    const host = await Host.open({config, topics: argv as string[], log, logListeners, reloadConfig: () => this.loadConfig(flags, optionFlags)}).catch(failed)

    let signalled = false
    let dashboardUp = false
    onTerminalGone = () => {
      signalled = true
      log.warn('the terminal is gone: stopping gracefully')
      void host.stop({graceful: true})
    }
    const removeSignalHandlers = handleSignals({
      log,
      stop: () => {
        signalled = true
        void host.stop({graceful: true})
      },
      // A SIGHUP to a host whose dashboard's terminal was closed is the hangup (Manila exits on a
      // SIGHUP in the foreground): it stops gracefully. Otherwise, and in the background, it reloads.
      reload: async () => {
        if (dashboardUp && !terminalAnswers()) terminalGone()
        else await host.reset()
      },
    })
    try {
      await host.start().catch(failed)
      if (daemon) await reportToStarter({type: 'running', pid: process.pid})
      const apis = daemon ? [] : apiLines(host, config)
      for (const line of apis) this.log(line)
      if (!daemon && flags.dashboard && process.stdout.isTTY) {
        let stopped = false
        void host.wait().then(() => (stopped = true))
        dashboardUp = true
        onScreen = false
        try {
          await this.dashboard(config, host, apis.join(' · '))
        } catch (error) {
          onScreen = true
          if (terminalAnswers()) {
            log.error(`the dashboard failed: ${describeError(error)}`)
            process.exitCode = 1
          }
        } finally {
          onScreen = true
        }
        if (!terminalAnswers()) terminalGone()
        if (!stopped && !signalled) log.info('dashboard closed: stopping gracefully')
        void host.stop({graceful: true})
      }
      await host.wait()
      await host.stop()
    } finally {
      removeSignalHandlers()
      logFile?.close()
    }
  }

  /** Show the host's dashboard until the user quits it or the host stops (on a signal, or on its own). */
  private async dashboard(config: StewardConfig, host: Host, notice: string): Promise<void> {
    const [{openMonitor}, {runMonitorTui}, {createMonitorActions}] = await Promise.all([
      import('../cli/open-monitor.js'),
      import('../tui/run-monitor-tui.js'),
      import('../tui/actions.js'),
    ])
    const hostStopped = new AbortController()
    void host.wait().then(() => hostStopped.abort())
    const {client, close} = await openMonitor(config, {hosts: [host.name]})
    try {
      // Signals are the command's: they stop the host, whose stop then ends the dashboard.
      await runMonitorTui(client, createMonitorActions(config, {rpc: host.rpc}), {signals: [], signal: hostStopped.signal, ...(notice === '' ? {} : {notice})})
    } finally {
      await close()
    }
  }
}

/** Where each HTTP API of the host listens, and a request to paste (its pipeline's example). */
function apiLines(host: Host, config: StewardConfig): string[] {
  return host.apiEndpoints.flatMap((endpoint) => {
    const {tokenFile} = apiSettings(config.options, endpoint.name as ApiName)
    return [`API ${endpoint.url}`, `Try ${curlExample(endpoint, tokenFile)}`]
  })
}

/** Whether stdout's terminal is still there: on a hung-up terminal every ioctl fails with EIO. */
function terminalAnswers(): boolean {
  const handle = (process.stdout as unknown as {_handle?: {getWindowSize?: (size: number[]) => number}})._handle
  if (handle?.getWindowSize === undefined) return true
  return handle.getWindowSize([]) === 0
}

/** An error as the background host reports it to `steward start --detach`. */
function serialize(error: unknown): SerializedError {
  if (isStewardError(error)) return error.toJSON()
  return {name: 'Error', code: 'HOST_START_FAILED', message: describeError(error), data: {}, retryable: false, suggestions: []}
}
