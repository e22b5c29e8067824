import {Args, Flags} from '@oclif/core'
import {StewardCommand} from '../cli/base-command.js'
import type {StewardConfig} from '../config/load-config.js'
import {describeError} from '../errors/index.js'
import type {LogRecord} from '../log/logger.js'
import type {Host} from '../service/host.js'

export default class Start extends StewardCommand {
  static override summary = 'Run a host with its services in the foreground.'
  static override description = `Runs the services of the given topics (or of the "services" option) in this process. In a terminal it shows the host's dashboard (the same as "steward monitor", for this host only; docs/tui.md): q or Ctrl-C there stops the host. Otherwise, or with --no-dashboard, it logs what the services do on stdout. Ctrl-C or SIGTERM stops them gracefully (in-flight work finishes within graceful_shutdown_timeout) and their records read "stopped"; a second signal exits at once, leaving them to read "down" after service_down_time.`
  static override strict = false
  static override examples = [
    '<%= config.bin %> start',
    '<%= config.bin %> start sysinfo --host node1',
    {description: 'Log lines instead of the dashboard, in a terminal too:', command: '<%= config.bin %> start --no-dashboard'},
    'STEWARD_REPORT_INTERVAL=2 <%= config.bin %> start sysinfo --state-dir /tmp/steward',
  ]

  static override args = {
    topics: Args.string({description: 'Topics to run (default: the "services" option).'}),
  }

  static override flags = {
    host: Flags.string({summary: 'Name of this host (default: the machine host name).'}),
    dashboard: Flags.boolean({summary: 'Show the dashboard when stdout is a terminal.', default: true, allowNo: true}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Start)
    const config = this.loadConfig(flags, flags.host === undefined ? {} : {host: flags.host})
    // Loaded here, not at the top, so other commands never pay for the runtime.
    const [{Host}, {createLogger}] = await Promise.all([import('../service/host.js'), import('../log/logger.js')])
    // While the dashboard is up its Logs view shows the lines, and stdout is the dashboard's.
    let onScreen = true
    // The host adds its telemetry feed's listener, so monitors get every line.
    const logListeners: Array<(record: LogRecord) => void> = []
    const log = createLogger({
      level: config.options.log_level,
      format: config.options.log_format,
      listeners: logListeners,
      write: (line) => void (onScreen && process.stdout.write(line)),
    })
    const host = await Host.open({config, topics: argv as string[], log, logListeners})

    let signals = 0
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++
      if (signals > 1) {
        // The graceful stop may be waiting on work that will not finish; leave now. The records
        // are not marked stopped, so they read down after service_down_time.
        log.warn(`${signal} again: exiting at once`)
        process.exit(1)
      }
      log.info(`${signal} received: stopping gracefully (again to stop at once)`)
      void host.stop({graceful: true})
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    try {
      await host.start()
      if (flags.dashboard && process.stdout.isTTY) {
        let stopped = false
        void host.wait().then(() => (stopped = true))
        onScreen = false
        try {
          await this.dashboard(config, host)
        } catch (error) {
          onScreen = true
          log.error(`the dashboard failed: ${describeError(error)}`)
          process.exitCode = 1
        } finally {
          onScreen = true
        }
        if (!stopped && signals === 0) log.info('dashboard closed: stopping gracefully')
        void host.stop({graceful: true})
      }
      await host.wait()
      await host.stop()
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }

  /** Show the host's dashboard until the user quits it or the host stops (on a signal, or on its own). */
  private async dashboard(config: StewardConfig, host: Host): Promise<void> {
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
      await runMonitorTui(client, createMonitorActions(config, {rpc: host.rpc}), {signals: [], signal: hostStopped.signal})
    } finally {
      await close()
    }
  }
}
