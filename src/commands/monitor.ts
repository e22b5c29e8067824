import {Flags} from '@oclif/core'
import {StewardCommand} from '../cli/base-command.js'
import {StewardError} from '../errors/steward-error.js'
import type {MonitorClient} from '../monitor/monitor-client.js'
import type {MonitorModel, TelemetryLogLine} from '../monitor/telemetry.js'

export default class Monitor extends StewardCommand {
  static override summary = 'Watch every host the state store knows: services, telemetry and log lines.'
  static override description = `In a terminal, a live dashboard of every host's services. With --once, one snapshot of every live host and its services (generation, reloads, in-flight calls, calls/s, p99 latency, errors) as tables, or with --json as the monitor's model. When stdout is not a terminal, each host's last 100 log lines, then its lines as they come, until Ctrl-C (with --json, one JSON object a line). Hosts publish telemetry only while a monitor listens (docs/protocol.md, "Telemetry feed").`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'The live dashboard (in a terminal):', command: '<%= config.bin %> monitor'},
    {description: 'One snapshot of every host and service, as tables:', command: '<%= config.bin %> monitor --once'},
    {description: 'The same as JSON, for scripts:', command: "<%= config.bin %> monitor --once --json | jq '.services[] | {host, binary, calls: .telemetry.rpc.calls}'"},
    {description: 'Every host\'s log lines, into a file:', command: '<%= config.bin %> monitor > hosts.log'},
    {description: 'Only two hosts:', command: '<%= config.bin %> monitor --host node1 --host node2'},
  ]

  static override flags = {
    once: Flags.boolean({summary: 'Print one snapshot and exit.'}),
    host: Flags.string({summary: 'Watch only this host process (repeat for more).', multiple: true}),
    timeout: Flags.string({summary: 'Seconds to wait for every live host\'s first snapshot (default 5); with --once, hosts that do not answer by then show no telemetry.'}),
  }

  async run(): Promise<MonitorModel | undefined> {
    const {flags} = await this.parse(Monitor)
    const config = this.loadConfig(flags)
    const timeoutSeconds = flags.timeout === undefined ? 5 : Number(flags.timeout)
    if (!(timeoutSeconds > 0)) throw new StewardError('CONFIG_INVALID', `--timeout must be a number of seconds > 0, not ${flags.timeout}.`)
    // Loaded here, so --help and other commands never load ZeroMQ.
    const [{openMonitor}, monitorText] = await Promise.all([import('../cli/open-monitor.js'), import('../cli/monitor-text.js')])
    const {client, close} = await openMonitor(config, {
      ...(flags.host === undefined ? {} : {hosts: flags.host}),
      ...(flags.once ? {topics: ['snapshot'] as const} : {}),
    })
    try {
      if (flags.once) {
        const model = await client.snapshotOnce({timeoutMs: timeoutSeconds * 1000})
        if (!this.jsonEnabled()) this.log(monitorText.monitorText(model))
        return model
      }
      if (process.stdout.isTTY && !this.jsonEnabled()) {
        // The dashboard (docs/tui.md); Ink and React load inside it, only for a terminal.
        const [{runMonitorTui}, {createMonitorActions}] = await Promise.all([import('../tui/run-monitor-tui.js'), import('../tui/actions.js')])
        await runMonitorTui(client, createMonitorActions(config))
        return undefined
      }
      await this.streamLogs(client, timeoutSeconds * 1000, (line) => (this.jsonEnabled() ? JSON.stringify(line) : monitorText.logLineText(line).trimEnd()))
      return undefined
    } finally {
      await close()
    }
  }

  /**
   * Print every host's log lines as they come, until SIGINT or SIGTERM. Once every live host's
   * feed has answered, stderr says so, so that stdout carries only log lines.
   */
  private async streamLogs(client: MonitorClient, timeoutMs: number, format: (line: TelemetryLogLine) => string): Promise<void> {
    // Each host's last lines first (its backlog, sent when the monitor joins), then its lines as they
    // come; a line that arrives twice (live and in the backlog) is printed once, by its seq.
    const printedSeq = new Map<string, number>()
    const print = (line: TelemetryLogLine): void => {
      if (line.seq !== undefined) {
        if (line.seq <= (printedSeq.get(line.host) ?? 0)) return
        printedSeq.set(line.host, line.seq)
      }
      process.stdout.write(`${format(line)}\n`)
    }
    const stop = client.onEvent((event) => {
      if (event.type === 'log') print(event.line)
      else if (event.type === 'backlog') for (const line of event.lines) print(line)
    })
    let signalled!: () => void
    const signal = new Promise<void>((resolve) => (signalled = resolve))
    const onSignal = (): void => signalled()
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    try {
      const connected = await Promise.race([client.snapshotOnce({timeoutMs}), signal])
      if (connected !== undefined) {
        const names = connected.hosts.filter((host) => host.telemetry !== null).map((host) => host.record.name)
        process.stderr.write(`Watching ${names.length} host(s)${names.length === 0 ? '' : `: ${names.join(', ')}`}; hosts that start later join within 2 s. Ctrl-C to stop.\n`)
      }
      await signal
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      stop()
    }
  }
}
