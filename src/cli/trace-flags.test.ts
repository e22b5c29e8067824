import {describe, expect, it} from 'vitest'
import {isStewardError} from '../errors/index.js'
import {minDurationFlag, pickTraceId, sinceFlag} from './trace-flags.js'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return isStewardError(error) ? error.code : 'not a steward error'
  }
  return undefined
}

describe('steward trace flags', () => {
  it('reads durations with units, bare numbers as milliseconds', () => {
    expect([minDurationFlag('250'), minDurationFlag('100ms'), minDurationFlag('1.5s'), minDurationFlag('2m')]).toEqual([250, 100, 1500, 120_000])
    expect(codeOf(() => minDurationFlag('fast'))).toBe('TRACE_QUERY_INVALID')
  })

  it('reads --since as a time ago (bare numbers are minutes) or an ISO date', () => {
    const now = Date.parse('2030-01-01T12:00:00Z')
    expect(sinceFlag('10m', now)).toBe(now - 600_000)
    expect(sinceFlag('5', now)).toBe(now - 300_000)
    expect(sinceFlag('2030-01-01T11:00:00Z', now)).toBe(now - 3_600_000)
    expect(codeOf(() => sinceFlag('yesterday', now))).toBe('TRACE_QUERY_INVALID')
  })

  it('finds a trace by its id or a unique prefix, and says why it cannot', () => {
    const ids = ['4bf92f3577b34da6a3ce929d0e0e4736', '4bf92f0000000000000000000000000a', '0af7651916cd43dd8448eb211c80319c']
    expect(pickTraceId('0AF765', ids, '/state/traces')).toBe(ids[2])
    expect(pickTraceId(ids[0]!, ids, '/state/traces')).toBe(ids[0])
    expect(codeOf(() => pickTraceId('4bf92f', ids, '/state/traces'))).toBe('TRACE_QUERY_INVALID')
    expect(codeOf(() => pickTraceId('xyz', ids, '/state/traces'))).toBe('TRACE_QUERY_INVALID')
    expect(codeOf(() => pickTraceId('123456', ids, '/state/traces'))).toBe('TRACE_NOT_FOUND')
  })
})
