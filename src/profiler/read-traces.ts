import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {traceDirectory, type SpanRecord} from './span-record.js'

/** One trace in a listing: its root span and what it spans. */
export interface TraceSummary {
  traceId: string
  /** The root span's name, service and host (the earliest span when the root was not recorded). */
  name: string
  service: string
  host: string
  /** Epoch milliseconds of the earliest span. */
  startMs: number
  /** From the earliest start to the latest end. */
  durationMs: number
  spans: number
  /** The hosts that recorded spans of it, sorted. */
  hosts: string[]
  /** The services (binaries; `steward` for a host's own spans) that recorded spans of it, sorted. */
  services: string[]
  errors: number
}

/** A span with the spans it caused, earliest first. */
export interface TraceNode {
  span: SpanRecord
  children: TraceNode[]
}

/**
 * Every span in the trace files of every host under the state directory (current and rotated).
 * A line that is not a span (a file cut short by a crash) is skipped.
 */
export async function readSpanRecords(stateDir: string): Promise<SpanRecord[]> {
  const directory = traceDirectory(stateDir)
  let names: string[]
  try {
    names = await readdir(directory)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const files = names.filter((name) => /\.jsonl(\.\d+)?$/.test(name))
  const records: SpanRecord[] = []
  for (const text of await Promise.all(files.map((name) => readFile(path.join(directory, name), 'utf8')))) {
    for (const line of text.split('\n')) {
      if (line === '') continue
      try {
        const record = JSON.parse(line) as SpanRecord
        if (typeof record.traceId === 'string' && typeof record.spanId === 'string' && typeof record.startMs === 'number') records.push(record)
      } catch {
        // A torn last line: the rest of the file is good.
      }
    }
  }
  return records
}

/** The spans grouped by trace. */
export function groupByTrace(records: readonly SpanRecord[]): Map<string, SpanRecord[]> {
  const traces = new Map<string, SpanRecord[]>()
  for (const record of records) {
    const spans = traces.get(record.traceId)
    if (spans === undefined) traces.set(record.traceId, [record])
    else spans.push(record)
  }
  return traces
}

/** A trace's summary, from its spans (at least one). */
export function summarizeTrace(spans: readonly SpanRecord[]): TraceSummary {
  const roots = rootsOf(spans)
  const root = roots[0]!
  const startMs = Math.min(...spans.map((span) => span.startMs))
  const endMs = Math.max(...spans.map((span) => span.startMs + span.durationMs))
  return {
    traceId: root.traceId,
    name: root.name,
    service: root.service,
    host: root.host,
    startMs,
    durationMs: endMs - startMs,
    spans: spans.length,
    hosts: [...new Set(spans.map((span) => span.host))].sort(),
    services: [...new Set(spans.map((span) => span.service))].sort(),
    errors: spans.filter((span) => span.status === 'error').length,
  }
}

/**
 * A trace as trees: each span under its parent, children by start time. A span whose parent was
 * not recorded (a host without the profiler, a file rotated away) is a root of its own.
 */
export function traceTree(spans: readonly SpanRecord[]): TraceNode[] {
  const nodes = new Map(spans.map((span) => [span.spanId, {span, children: [] as TraceNode[]}]))
  const roots: TraceNode[] = []
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanId === undefined ? undefined : nodes.get(node.span.parentSpanId)
    if (parent === undefined || parent === node) roots.push(node)
    else parent.children.push(node)
  }
  const byStart = (a: TraceNode, b: TraceNode): number => a.span.startMs - b.span.startMs
  for (const node of nodes.values()) node.children.sort(byStart)
  return roots.sort(byStart)
}

function rootsOf(spans: readonly SpanRecord[]): SpanRecord[] {
  const ids = new Set(spans.map((span) => span.spanId))
  const roots = spans.filter((span) => span.parentSpanId === undefined || !ids.has(span.parentSpanId))
  return (roots.length > 0 ? roots : [...spans]).sort((a, b) => a.startMs - b.startMs)
}
