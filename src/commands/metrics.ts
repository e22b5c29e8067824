import {Flags} from '@oclif/core'
import {StewardCommand} from '../cli/base-command.js'
import {withRpcClient} from '../cli/with-rpc-client.js'
import {withStore} from '../cli/with-store.js'
import {describeError} from '../errors/index.js'
import {viewHost} from '../service/service-state.js'

/** One host's metrics as `--json` shows them: prom-client's JSON, or why the host did not answer. */
export type HostMetricsResult = {host: string; metrics: unknown[]} | {host: string; error: {code: string; message: string}}

export default class Metrics extends StewardCommand {
  static override summary = 'Print the Prometheus metrics of running hosts: their services\' RPC counters and latencies, periodic tasks, heartbeats, reloads, and the processes\' memory, CPU and event loop.'
  static override description = [
    'Asks each host through its host topic (`host.<name>`, method `metrics`) for what its HTTP API serves at GET /metrics; the host need not run the API. Without --host, every host that is up is asked. Text is Prometheus\' exposition format, one block per host (one host\'s block is a valid exposition); --json is prom-client\'s JSON form, each metric with its values and labels.',
    'docs/observability.md lists every metric, its type, labels and meaning.',
  ].join('\n\n')

  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> metrics --host node1',
    '<%= config.bin %> metrics --host node1 | grep steward_rpc_calls_total',
    '<%= config.bin %> metrics --json',
  ]

  static override flags = {
    host: Flags.string({summary: 'The running host to ask (default: every host that is up).'}),
    timeout: Flags.integer({summary: 'Seconds to wait for each host\'s answer.', default: 10, min: 1, max: 3600}),
  }

  async run(): Promise<{hosts: HostMetricsResult[]}> {
    const {flags} = await this.parse(Metrics)
    const config = this.loadConfig(flags)
    const format = this.jsonEnabled() ? 'json' : 'text'
    const names =
      flags.host === undefined
        ? (await withStore(config, (store) => store.listHosts())).filter((host) => viewHost(host, new Date(), config.options.service_down_time).state === 'up').map((host) => host.name)
        : [flags.host]
    const {HOST_TOPIC} = await import('../rpc/target-resolver.js')
    const answers = await withRpcClient(config, (client, ctx) =>
      Promise.allSettled(names.map((name) => client.prepare({topic: HOST_TOPIC, server: name, timeout: flags.timeout}).call(ctx, 'metrics', {format}))),
    )
    // One host named: its failure is the command's (its code, its exit status).
    if (flags.host !== undefined && answers[0]?.status === 'rejected') throw answers[0].reason
    const hosts: HostMetricsResult[] = []
    const texts: string[] = []
    answers.forEach((answer, index) => {
      const host = names[index]!
      if (answer.status === 'rejected') {
        const code = (answer.reason as {code?: unknown}).code
        hosts.push({host, error: {code: typeof code === 'string' ? code : 'REMOTE_ERROR', message: describeError(answer.reason)}})
        this.logToStderr(`Host ${host} did not answer: ${describeError(answer.reason)}`)
        process.exitCode = 1
        return
      }
      if (format === 'json') hosts.push({host, metrics: answer.value as unknown[]})
      else texts.push(names.length === 1 ? String(answer.value) : `# steward metrics of host ${host}\n${String(answer.value)}`)
    })
    if (format === 'text') {
      if (names.length === 0) this.logToStderr('No host is up.')
      else if (texts.length > 0) this.log(texts.join('\n').trimEnd())
    }
    return {hosts}
  }
}
