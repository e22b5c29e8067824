import {TraceFlags, type SpanContext} from '@opentelemetry/api'

const TRACE_PARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/**
 * A W3C `traceparent` (version 00) as the remote span context it names; undefined when malformed
 * or all zeros. OpenTelemetry's W3CTraceContextPropagator does the same through a Context and a
 * carrier, at several times the cost, on the path of every traced call.
 */
export function parseTraceParent(text: string): SpanContext | undefined {
  const match = TRACE_PARENT.exec(text)
  if (match === null || match[1] === '00000000000000000000000000000000' || match[2] === '0000000000000000') return undefined
  return {traceId: match[1]!, spanId: match[2]!, traceFlags: Number.parseInt(match[3]!, 16), isRemote: true}
}

/** The `traceparent` naming a span. */
export function formatTraceParent({traceId, spanId, traceFlags}: SpanContext): string {
  return `00-${traceId}-${spanId}-${traceFlags & TraceFlags.SAMPLED ? '01' : '00'}`
}

/** Whether a traceparent says its trace is sampled (recorded); a cheap look at its last digit. */
export function isSampledTraceParent(text: string): boolean {
  return (text.charCodeAt(text.length - 1) & 1) === 1
}
