import {Args, Flags} from '@oclif/core'
import {StewardCommand} from '../cli/base-command.js'
import type {LogRecord} from '../log/logger.js'

export default class Start extends StewardCommand {
  static override summary = 'Run a host with its services in the foreground.'
  static override description = `Runs the services of the given topics (or of the "services" option) in this process, logging what they do. Ctrl-C or SIGTERM stops them gracefully (in-flight work finishes within graceful_shutdown_timeout) and their records read "stopped"; a second signal exits at once, leaving them to read "down" after service_down_time.`
  static override strict = false
  static override examples = [
    '<%= config.bin %> start',
    '<%= config.bin %> start sysinfo --host node1',
    'STEWARD_REPORT_INTERVAL=2 <%= config.bin %> start sysinfo --state-dir /tmp/steward',
  ]

  static override args = {
    topics: Args.string({description: 'Topics to run (default: the "services" option).'}),
  }

  static override flags = {
    host: Flags.string({summary: 'Name of this host (default: the machine host name).'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Start)
    const config = this.loadConfig(flags, flags.host === undefined ? {} : {host: flags.host})
    // Loaded here, not at the top, so other commands never pay for the runtime.
    const [{Host}, {createLogger}] = await Promise.all([import('../service/host.js'), import('../log/logger.js')])
    // The host adds its telemetry feed's listener, so monitors get every line.
    const logListeners: Array<(record: LogRecord) => void> = []
    const log = createLogger({level: config.options.log_level, format: config.options.log_format, listeners: logListeners})
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
      await host.wait()
      await host.stop()
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}
