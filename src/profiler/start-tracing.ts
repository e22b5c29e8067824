import {OTLPTraceExporter} from '@opentelemetry/exporter-trace-otlp-http'
import {BatchSpanProcessor, type SpanProcessor} from '@opentelemetry/sdk-trace-base'
import {OtelTracing} from './otel-tracing.js'
import {SpanFileExporter} from './span-file-exporter.js'
import {traceFilePath} from './span-record.js'
import {setActiveTracing} from './tracing.js'

export interface TracingSettings {
  /** This process's host name: its trace file is `<state_dir>/traces/<host>.jsonl`. */
  host: string
  /** Names the trace file of a process that is not the host's own (`api-<pid>`). */
  filePart?: string
  stateDir: string
  /** profiler_otlp_endpoint: an OTLP/HTTP base URL (`/v1/traces` is added) or the full traces URL; '' for none. */
  otlpEndpoint: string
  fileMaxSize: number
  fileMaxFiles: number
  /** profiler_sample_ratio: the share of new traces recorded (a caller's decision is followed). @default 1 */
  sampleRatio?: number
  /** profiler_trace_rate_limit: new traces recorded a second at most, 0 for no limit. @default 0 */
  traceRateLimit?: number
}

/** Spans wait at most this long before they are written (OpenTelemetry's default is 5 s). */
const EXPORT_DELAY_MS = 1000

/**
 * Start the profiler of this process: spans of RPC, periodic tasks, reloads, drivers and the API
 * go to the host's trace file, and to an OTLP endpoint when one is set. Resolves to the function
 * that writes what is pending and stops it.
 */
export function startTracing(settings: TracingSettings): () => Promise<void> {
  const processors: SpanProcessor[] = [
    new BatchSpanProcessor(new SpanFileExporter({file: traceFilePath(settings.stateDir, settings.host, settings.filePart), maxSize: settings.fileMaxSize, maxFiles: settings.fileMaxFiles}), {
      scheduledDelayMillis: EXPORT_DELAY_MS,
      maxQueueSize: 8192,
      maxExportBatchSize: 1024,
    }),
  ]
  if (settings.otlpEndpoint !== '') {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({url: otlpTracesUrl(settings.otlpEndpoint)}), {scheduledDelayMillis: EXPORT_DELAY_MS, maxQueueSize: 8192}))
  }
  setActiveTracing(new OtelTracing(settings.host, processors, settings.sampleRatio, settings.traceRateLimit))
  return async () => {
    setActiveTracing(undefined)
    await Promise.allSettled(processors.map((processor) => processor.shutdown()))
  }
}

/** OTLP's convention: a base endpoint gets `/v1/traces`; a URL already naming it is kept. */
export function otlpTracesUrl(endpoint: string): string {
  return /\/v1\/traces\/?$/.test(endpoint) ? endpoint : `${endpoint.replace(/\/+$/, '')}/v1/traces`
}
