// Types only: traced-driver.ts imports this module in every generation, profiler on or off.
import type {SpanContext} from '@opentelemetry/api'

/** W3C trace-flags' sampled bit (OpenTelemetry's TraceFlags.SAMPLED). */
const SAMPLED = 1

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
  return `00-${traceId}-${spanId}-${traceFlags & SAMPLED ? '01' : '00'}`
}

/** Whether a traceparent says its trace is sampled (recorded): the low bit of its last hex digit. */
export function isSampledTraceParent(text: string): boolean {
  const digit = text.charCodeAt(text.length - 1)
  // '0'–'9' are 0x30–0x39, 'a'–'f' 0x61–0x66 (and 'A'–'F' 0x41–0x46): a letter's value is odd when its code is even.
  return ((digit <= 0x39 ? digit : digit + 1) & SAMPLED) === SAMPLED
}
