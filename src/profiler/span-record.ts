import path from 'node:path'

/**
 * One finished span as a line of a trace file (`<state_dir>/traces/<host>.jsonl`): what
 * `steward trace` and monitors read. The fields are OpenTelemetry's, flattened; OTLP exporters get
 * the spans themselves.
 */
export interface SpanRecord {
  traceId: string
  spanId: string
  /** Absent for a trace's root span. */
  parentSpanId?: string
  name: string
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer'
  /** The resource's service.name: the binary (`steward-share`), or `steward` for the host's own spans. */
  service: string
  /** The resource's host.name: the steward host that made the span. */
  host: string
  /** Epoch milliseconds, with microseconds as the fraction. */
  startMs: number
  durationMs: number
  status: 'unset' | 'ok' | 'error'
  /** The status message of an errored span. */
  error?: string
  attributes: Record<string, unknown>
}

/** The directory every host's trace files are in. */
export function traceDirectory(stateDir: string): string {
  return path.join(stateDir, 'traces')
}

/**
 * The file a host writes its spans to (rotated to `.1`, `.2`…); a process of its own beside the
 * host's (an API worker) has its own, `<host>.<part>.jsonl`, as only one process may rotate a file.
 */
export function traceFilePath(stateDir: string, host: string, part?: string): string {
  return path.join(traceDirectory(stateDir), `${encodeURIComponent(host)}${part === undefined ? '' : `.${part}`}.jsonl`)
}
