import {Flags} from '@oclif/core'
import {StewardCommand} from '../../cli/base-command.js'
import {minDurationFlag, sinceFlag} from '../../cli/trace-flags.js'
import {traceListText} from '../../cli/trace-text.js'
import {groupByTrace, readSpanRecords, summarizeTrace, type TraceSummary} from '../../profiler/read-traces.js'
import {traceDirectory} from '../../profiler/span-record.js'

export default class TraceList extends StewardCommand {
  static override summary = 'List recent traces, newest first, from the trace files of every host (profiler_enabled).'
  static override description =
    'Reads <state_dir>/traces/*.jsonl, where each host with profiler_enabled writes its spans, and groups them by trace: a request followed across hosts and services. Shows each trace\'s root span, duration, span count, hosts and errors. `steward trace show ID` prints one as a tree.'

  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> trace list',
    {description: 'Traces of the last 10 minutes that took 100 ms or more:', command: '<%= config.bin %> trace list --since 10m --min-duration 100ms'},
    {description: 'The requests that created shares, and the traces with errors in the share service:', command: '<%= config.bin %> trace list --name "POST /v2/shares"\n<%= config.bin %> trace list --service steward-share --errors'},
    {description: 'Since a time, as JSON:', command: '<%= config.bin %> trace list --since 2030-01-01T12:00:00Z --json'},
  ]

  static override flags = {
    since: Flags.string({summary: 'Only traces that started after this: a time ago (10m, 2h, 1d; a bare number is minutes) or an ISO date.', default: '1h'}),
    'min-duration': Flags.string({summary: 'Only traces that took at least this long (100ms, 1.5s; a bare number is milliseconds).'}),
    name: Flags.string({summary: 'Only traces whose root span\'s name contains this (POST /v2/shares, createShare, periodic_tasks).'}),
    service: Flags.string({summary: 'Only traces in which this service recorded a span (steward-share, steward-api; steward for a host\'s own RPC clients).'}),
    errors: Flags.boolean({summary: 'Only traces with an errored span.', default: false}),
    limit: Flags.integer({char: 'n', summary: 'How many traces to show at most (0: all).', default: 20, min: 0}),
  }

  async run(): Promise<TraceSummary[]> {
    const {flags} = await this.parse(TraceList)
    const since = sinceFlag(flags.since)
    const minDuration = flags['min-duration'] === undefined ? 0 : minDurationFlag(flags['min-duration'])
    const stateDir = this.loadConfig(flags).options.state_dir
    const traces = [...groupByTrace(await readSpanRecords(stateDir)).values()]
      .map((spans) => summarizeTrace(spans))
      .filter(
        (trace) =>
          trace.startMs >= since &&
          trace.durationMs >= minDuration &&
          (flags.name === undefined || trace.name.includes(flags.name)) &&
          (flags.service === undefined || trace.services.includes(flags.service)) &&
          (!flags.errors || trace.errors > 0),
      )
      .sort((a, b) => b.startMs - a.startMs)
    const shown = flags.limit === 0 ? traces : traces.slice(0, flags.limit)
    if (!this.jsonEnabled()) {
      if (shown.length === 0) this.log(`No traces since ${new Date(since).toISOString()} in ${traceDirectory(stateDir)}. Hosts write them with profiler_enabled (docs/observability.md).`)
      else this.log(traceListText(shown))
    }
    return shown
  }
}
