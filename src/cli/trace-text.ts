import type {TraceNode, TraceSummary} from '../profiler/read-traces.js'
import {textTable} from './text-table.js'

/** Milliseconds as people read them: µs under 1 ms, ms under 10 s, seconds above. */
export function formatDurationMs(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`
  if (ms < 10_000) return `${ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(1)} s`
}

/** The trace listing: newest first, as given. */
export function traceListText(traces: readonly TraceSummary[]): string {
  return textTable(
    ['Trace', 'Started', 'Duration', 'Root span', 'Service', 'Spans', 'Hosts', 'Errors'],
    traces.map((trace) => [
      trace.traceId,
      new Date(trace.startMs).toISOString(),
      formatDurationMs(trace.durationMs),
      trace.name,
      trace.service,
      String(trace.spans),
      trace.hosts.join(', '),
      trace.errors === 0 ? '-' : String(trace.errors),
    ]),
  )
}

/**
 * One trace as a tree: each span under the one that caused it, with where it ran, when it started
 * after the trace did, how long it took, and its error.
 */
export function traceTreeText(summary: TraceSummary, roots: readonly TraceNode[]): string {
  const rows: string[][] = []
  const walk = (node: TraceNode, prefix: string, childPrefix: string): void => {
    const {span} = node
    rows.push([
      `${prefix}${span.name}`,
      span.kind,
      span.service,
      span.host,
      `+${formatDurationMs(span.startMs - summary.startMs)}`,
      formatDurationMs(span.durationMs),
      span.status === 'error' ? `ERROR ${span.error ?? ''}`.trim() : 'ok',
    ])
    node.children.forEach((child, index) => {
      const last = index === node.children.length - 1
      walk(child, `${childPrefix}${last ? '└─ ' : '├─ '}`, `${childPrefix}${last ? '   ' : '│  '}`)
    })
  }
  for (const root of roots) walk(root, '', '')
  const errors = summary.errors === 0 ? 'no errors' : `${summary.errors} error${summary.errors === 1 ? '' : 's'}`
  const head = `Trace ${summary.traceId}: ${formatDurationMs(summary.durationMs)}, ${summary.spans} spans on ${summary.hosts.join(', ')}, ${errors}, started ${new Date(summary.startMs).toISOString()}`
  return `${head}\n\n${textTable(['Span', 'Kind', 'Service', 'Host', 'Start', 'Duration', 'Status'], rows)}`
}
