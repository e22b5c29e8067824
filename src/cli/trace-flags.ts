import {StewardError} from '../errors/index.js'

const units: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/** `250ms`, `1.5s`, `10m`, `2h`, `1d`, or a bare number of `bareUnit`; undefined when it is none. */
export function durationMs(text: string, bareUnit: keyof typeof units): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim())
  if (match === null) return undefined
  return Number(match[1]) * units[match[2] ?? bareUnit]!
}

/** --min-duration: milliseconds, from `100ms`, `1.5s` or a bare number of milliseconds. */
export function minDurationFlag(text: string): number {
  const ms = durationMs(text, 'ms')
  if (ms === undefined) {
    throw new StewardError('TRACE_QUERY_INVALID', `--min-duration must be a duration such as 100ms, 1.5s or 250, not "${text}".`, {data: {flag: 'min-duration', value: text}})
  }
  return ms
}

/** --since: epoch milliseconds, from a time ago (`10m`, `2h`, bare numbers are minutes) or an ISO date. */
export function sinceFlag(text: string, now = Date.now()): number {
  const ago = durationMs(text, 'm')
  if (ago !== undefined) return now - ago
  const at = /^\d{4}-\d\d-\d\d/.test(text) ? Date.parse(text) : Number.NaN
  if (Number.isNaN(at)) {
    throw new StewardError('TRACE_QUERY_INVALID', `--since must be a time ago such as 10m, 2h, 1d, or an ISO date such as 2030-01-01T12:00:00Z, not "${text}".`, {data: {flag: 'since', value: text}})
  }
  return at
}

/** The trace whose id is, or starts with, `id` (at least 6 hex digits), among `ids`. */
export function pickTraceId(id: string, ids: Iterable<string>, where: string): string {
  const wanted = id.trim().toLowerCase()
  if (!/^[0-9a-f]{6,32}$/.test(wanted)) {
    throw new StewardError('TRACE_QUERY_INVALID', `A trace id is 32 hex digits (or at least the first 6 of them), not "${id}".`, {data: {id}, suggestions: ['List the recent traces: steward trace list']})
  }
  const matches = [...ids].filter((candidate) => candidate.startsWith(wanted))
  if (matches.length === 1) return matches[0]!
  if (matches.length > 1) {
    throw new StewardError('TRACE_QUERY_INVALID', `${matches.length} traces start with ${wanted}: ${matches.slice(0, 5).join(', ')}${matches.length > 5 ? ', …' : ''}. Give more of the id.`, {data: {id, matches: matches.slice(0, 20)}})
  }
  throw new StewardError('TRACE_NOT_FOUND', `No span of trace ${wanted} is in the trace files under ${where}.`, {
    data: {id: wanted, directory: where},
    suggestions: ['List the recent traces: steward trace list', 'Are the hosts running with profiler_enabled, and this the state directory they share (--state-dir)?'],
  })
}
