import {SpanKind, SpanStatusCode} from '@opentelemetry/api'
import {ExportResultCode, hrTimeToMilliseconds, type ExportResult} from '@opentelemetry/core'
import type {ReadableSpan, SpanExporter} from '@opentelemetry/sdk-trace-base'
import {RotatingFile} from '../log/rotating-file.js'
import type {SpanRecord} from './span-record.js'

const kinds: Record<SpanKind, SpanRecord['kind']> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
}

const statuses: Record<SpanStatusCode, SpanRecord['status']> = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
}

/** A finished span as a trace file's line. */
export function toSpanRecord(span: ReadableSpan): SpanRecord {
  const context = span.spanContext()
  const resource = span.resource.attributes
  const record: SpanRecord = {
    traceId: context.traceId,
    spanId: context.spanId,
    name: span.name,
    kind: kinds[span.kind],
    service: String(resource['service.name'] ?? 'unknown'),
    host: String(resource['host.name'] ?? 'unknown'),
    startMs: hrTimeToMilliseconds(span.startTime),
    durationMs: hrTimeToMilliseconds(span.duration),
    status: statuses[span.status.code],
    attributes: {...span.attributes},
  }
  if (span.parentSpanContext !== undefined) record.parentSpanId = span.parentSpanContext.spanId
  if (span.status.message !== undefined) record.error = span.status.message
  return record
}

/**
 * An OpenTelemetry exporter to a host's trace file: one JSON line per span, a batch in one write,
 * rotated by size like the host's log.
 */
export class SpanFileExporter implements SpanExporter {
  private file: RotatingFile | undefined

  constructor(private readonly options: {file: string; maxSize: number; maxFiles: number}) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      this.file ??= new RotatingFile(this.options)
      let lines = ''
      for (const span of spans) lines += `${JSON.stringify(toSpanRecord(span))}\n`
      this.file.write(lines)
      resultCallback({code: ExportResultCode.SUCCESS})
    } catch (error) {
      resultCallback({code: ExportResultCode.FAILED, error: error as Error})
    }
  }

  async shutdown(): Promise<void> {
    this.file?.close()
    this.file = undefined
  }

  async forceFlush(): Promise<void> {}
}
