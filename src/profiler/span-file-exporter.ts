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

/**
 * A span as its trace file's line, a SpanRecord in JSON, written field by field (building the
 * record and stringifying it whole was most of the profiler's cost per call); the resource's part,
 * the same for every span of a tracer, is made once.
 */
export function spanLine(span: ReadableSpan, resourcePart: string): string {
  const context = span.spanContext()
  const parent = span.parentSpanContext === undefined ? '' : `,"parentSpanId":"${span.parentSpanContext.spanId}"`
  const error = span.status.message === undefined ? '' : `,"error":${JSON.stringify(span.status.message)}`
  return (
    `{"traceId":"${context.traceId}","spanId":"${context.spanId}"${parent},"name":${JSON.stringify(span.name)},"kind":"${kinds[span.kind]}",${resourcePart}` +
    `,"startMs":${hrTimeToMilliseconds(span.startTime)},"durationMs":${hrTimeToMilliseconds(span.duration)},"status":"${statuses[span.status.code]}"${error},"attributes":${JSON.stringify(span.attributes)}}\n`
  )
}

function resourcePartOf(span: ReadableSpan): string {
  const attributes = span.resource.attributes
  return `"service":${JSON.stringify(String(attributes['service.name'] ?? 'unknown'))},"host":${JSON.stringify(String(attributes['host.name'] ?? 'unknown'))}`
}

/**
 * An OpenTelemetry exporter to a host's trace file: one JSON line per span, a batch in one write,
 * rotated by size like the host's log.
 */
export class SpanFileExporter implements SpanExporter {
  private file: RotatingFile | undefined
  private readonly resourceParts = new WeakMap<object, string>()

  constructor(private readonly options: {file: string; maxSize: number; maxFiles: number}) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      this.file ??= new RotatingFile(this.options)
      let lines = ''
      for (const span of spans) {
        let resourcePart = this.resourceParts.get(span.resource)
        if (resourcePart === undefined) {
          resourcePart = resourcePartOf(span)
          this.resourceParts.set(span.resource, resourcePart)
        }
        lines += spanLine(span, resourcePart)
      }
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
