import {describe, expect, test} from 'vitest'
import {fit, formatAge, formatBytes, formatMs, formatRate, plural, truncate, truncateStart} from './format.js'
import {fitColumns, type Column} from './table-columns.js'

describe('formats for narrow columns', () => {
  test('ages, durations, sizes and rates in a few characters', () => {
    expect([formatAge(null), formatAge(42), formatAge(95), formatAge(3725), formatAge(200_000)]).toEqual(['-', '42s', '1m35s', '1h02m', '2d7h'])
    expect([formatMs(null), formatMs(0.85), formatMs(12.34), formatMs(250), formatMs(1200)]).toEqual(['-', '850µs', '12.3ms', '250ms', '1.20s'])
    expect([formatBytes(512), formatBytes(1536), formatBytes(83 * 1024 * 1024)]).toEqual(['512B', '1.5K', '83M'])
    expect([formatRate(0), formatRate(3.45), formatRate(42.5), formatRate(12_345)]).toEqual(['0', '3.5', '43', '12k'])
  })

  test('cutting marks the cut with …, from either end', () => {
    expect(truncate('steward-scheduler', 10)).toBe('steward-s…')
    expect(truncateStart('ipc:///tmp/state/rpc/node1.sock', 12)).toBe('…/node1.sock')
    expect(fit('share', 8, 'right')).toBe('   share')
    expect(fit('a-long-endpoint', 6, 'left', 'start')).toBe('…point')
    expect([plural(1, 'host'), plural(2, 'host')]).toEqual(['1 host', '2 hosts'])
  })
})

describe('fitColumns', () => {
  const column = (id: string, width: number, priority: number, minWidth?: number): Column<string> => ({id, title: id, width, priority, value: () => id, ...(minWidth === undefined ? {} : {minWidth})})
  const columns = [column('a', 10, 2, 4), column('b', 10, 0, 5), column('c', 6, 1)]

  test('all at their width when they fit, in their own order', () => {
    expect(fitColumns(columns, 40).map(({column: fitted, width}) => [fitted.id, width])).toEqual([['a', 10], ['b', 10], ['c', 6]])
  })

  test('narrowed, then dropped, least important first', () => {
    // b 10 + c 6 + a at 4 (min) + 2 gaps = 22; the 2 left widen a.
    expect(fitColumns(columns, 24).map(({column: fitted, width}) => [fitted.id, width])).toEqual([['a', 6], ['b', 10], ['c', 6]])
    expect(fitColumns(columns, 17).map(({column: fitted}) => fitted.id)).toEqual(['b', 'c'])
    expect(fitColumns(columns, 5).map(({column: fitted, width}) => [fitted.id, width])).toEqual([['b', 5]])
  })
})
