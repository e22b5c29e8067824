import {Args} from '@oclif/core'
import {StewardCommand} from '../../cli/base-command.js'
import {pickTraceId} from '../../cli/trace-flags.js'
import {traceTreeText} from '../../cli/trace-text.js'
import {groupByTrace, readSpanRecords, summarizeTrace, traceTree, type TraceNode, type TraceSummary} from '../../profiler/read-traces.js'
import {traceDirectory} from '../../profiler/span-record.js'

/** What `steward trace show --json` prints. */
export interface TraceView {
  summary: TraceSummary
  /** The spans as trees: each with the spans it caused, earliest first. */
  roots: TraceNode[]
}

export default class TraceShow extends StewardCommand {
  static override summary = 'Show one trace as a tree of spans across hosts and services, with durations and errors.'
  static override description =
    'Reads the spans of the trace from the trace files of every host under the state directory. Each span is under the one that caused it: an RPC call\'s client span, the service\'s server span on the host that served it, the calls and driver methods it made in turn. Start is the time after the trace began; errored spans show their error code and message.'

  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> trace show 4bf92f3577b34da6a3ce929d0e0e4736',
    {description: 'By the first digits of its id, as JSON:', command: '<%= config.bin %> trace show 4bf92f --json'},
  ]

  static override args = {
    id: Args.string({description: 'The trace id (32 hex digits, or at least the first 6), as `steward trace list` shows it.', required: true}),
  }

  async run(): Promise<TraceView> {
    const {args, flags} = await this.parse(TraceShow)
    const stateDir = this.loadConfig(flags).options.state_dir
    const traces = groupByTrace(await readSpanRecords(stateDir))
    const spans = traces.get(pickTraceId(args.id, traces.keys(), traceDirectory(stateDir)))!
    const view = {summary: summarizeTrace(spans), roots: traceTree(spans)}
    if (!this.jsonEnabled()) this.log(traceTreeText(view.summary, view.roots))
    return view
  }
}
