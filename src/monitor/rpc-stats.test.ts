import {describe, expect, it} from 'vitest'
import {StewardError} from '../errors/index.js'
import {binOf, binUpperMicros, RpcStatsRecorder} from './rpc-stats.js'

/** A recorder on a clock the test moves. */
function recorder(startMs = 100_000): {stats: RpcStatsRecorder; at: (ms: number) => void} {
  let now = startMs
  return {stats: new RpcStatsRecorder(() => now), at: (ms) => void (now = ms)}
}

/** One call that starts at `from` and ends at `to` (ms). */
function timedCall(stats: RpcStatsRecorder, at: (ms: number) => void, from: number, to: number, error?: unknown): void {
  at(from)
  const started = stats.call.begin()
  at(to)
  if (error === undefined) stats.call.succeeded(started)
  else stats.call.failed(started, error)
}

describe('latency bins', () => {
  it('are exact below 8 µs and within 12.5% above, contiguous and increasing', () => {
    for (let us = 0; us < 8; us++) expect(binUpperMicros(binOf(us))).toBe(us + 1)
    let previous = -1
    for (let us = 1; us < 5_000_000; us = Math.ceil(us * 1.07)) {
      const bin = binOf(us)
      expect(bin).toBeGreaterThanOrEqual(previous)
      previous = bin
      const upper = binUpperMicros(bin)
      expect(upper).toBeGreaterThan(us)
      expect(upper).toBeLessThanOrEqual(Math.max(us + 1, us * 1.125 + 1))
    }
    // Beyond the last bin, everything lands in it.
    expect(binOf(1e12)).toBe(binOf(0x7fffffff))
  })
})

describe('RpcStatsRecorder', () => {
  it('counts calls, casts, errors by code and in-flight requests', () => {
    const {stats, at} = recorder()
    const first = stats.call.begin()
    const second = stats.call.begin()
    const cast = stats.cast.begin()
    expect(stats.snapshot()).toMatchObject({calls: 2, casts: 1, inFlight: 3, errors: {}})
    stats.call.succeeded(first)
    stats.call.failed(second, new StewardError('NO_SUCH_METHOD', 'no'))
    stats.cast.failed(cast, Object.assign(new Error('plugin'), {code: 'PROBE_FAILED'}))
    timedCall(stats, at, 100_100, 100_200, new Error('no code'))
    expect(stats.snapshot()).toMatchObject({calls: 3, casts: 1, inFlight: 0, errors: {NO_SUCH_METHOD: 1, PROBE_FAILED: 1, REMOTE_ERROR: 1}})
  })

  it('gives p99 of the calls of the last 10 s, within a bin of the true value', () => {
    const {stats, at} = recorder()
    expect(stats.snapshot().p99Ms).toBeNull()
    // 990 calls of 2 ms, then (after a snapshot, as a monitor takes one every second) 5 of 300 ms:
    // p99 is 2 ms.
    for (let index = 0; index < 990; index++) timedCall(stats, at, 100_000 + index, 100_002 + index)
    at(101_000)
    stats.snapshot()
    for (let index = 0; index < 5; index++) timedCall(stats, at, 101_000, 101_300)
    const p99 = stats.snapshot().p99Ms!
    expect(p99).toBeGreaterThanOrEqual(2)
    expect(p99).toBeLessThanOrEqual(2 * 1.125)
    // 20 more slow calls make them 2.5%: p99 is now ~300 ms.
    for (let index = 0; index < 20; index++) timedCall(stats, at, 101_500, 101_800)
    expect(stats.snapshot().p99Ms).toBeGreaterThanOrEqual(300)
    expect(stats.snapshot().p99Ms).toBeLessThanOrEqual(300 * 1.125)
  })

  it('forgets what finished more than 10 s ago, and casts have no latency', () => {
    const {stats, at} = recorder()
    for (let index = 0; index < 50; index++) timedCall(stats, at, 100_000, 100_500)
    at(100_600)
    stats.cast.succeeded(stats.cast.begin())
    at(109_999)
    expect(stats.snapshot()).toMatchObject({calls: 50, casts: 1})
    expect(stats.snapshot().p99Ms).toBeGreaterThanOrEqual(500)
    expect(stats.snapshot().p99Ms).toBeLessThanOrEqual(500 * 1.125)
    at(110_500)
    // The second [100, 101) s has left the window: totals stay, the window is empty.
    expect(stats.snapshot()).toMatchObject({calls: 50, casts: 1, perSecond: 0, p99Ms: null})
    // A bucket reused for a later second starts empty.
    timedCall(stats, at, 120_100, 120_101)
    const later = stats.snapshot()
    expect(later.p99Ms).toBeLessThan(1.2)
    expect(later.perSecond).toBeCloseTo(1 / 9.101, 3)
  })

  it('gives calls/s over the window, or since the start when the service is younger', () => {
    const {stats, at} = recorder(100_000)
    // 2 s after the start, 100 calls: 50 a second.
    for (let index = 0; index < 100; index++) timedCall(stats, at, 100_000 + index * 20, 100_000 + index * 20 + 1)
    at(102_000)
    expect(stats.snapshot().perSecond).toBeCloseTo(50, 5)
    // Then 100 a second for 20 s.
    for (let second = 102; second < 122; second++) {
      for (let index = 0; index < 100; index++) timedCall(stats, at, second * 1000 + index * 10, second * 1000 + index * 10 + 1)
    }
    // At 122.0 the window is [113, 122]: 900 calls in 9 s.
    at(122_000)
    expect(stats.snapshot().perSecond).toBeCloseTo(100, 5)
    // Under a second after the start, the rate is per second, not inflated.
    const young = recorder(50_000)
    timedCall(young.stats, young.at, 50_000, 50_010)
    expect(young.stats.snapshot().perSecond).toBe(1)
  })

  it('times one request in 16 past 256 a second, weighted so a busy second counts for its calls', () => {
    const {stats, at} = recorder(100_000)
    // A busy second of 3000 calls of 1 ms, then a quiet one of 20 calls of 50 ms: 0.66% are slow,
    // so p99 is 1 ms. Unweighted, the ~430 timed calls of the busy second would make it 50 ms.
    for (let index = 0; index < 3000; index++) timedCall(stats, at, 100_000 + index * 0.3, 100_001 + index * 0.3)
    for (let index = 0; index < 20; index++) timedCall(stats, at, 101_000 + index * 10, 101_050 + index * 10)
    at(102_000)
    const busy = stats.snapshot()
    expect(busy.calls).toBe(3020)
    // Every call counts in calls/s, timed or not: 3020 in the 2 s since the start.
    expect(busy.perSecond).toBe(1510)
    expect(busy.p99Ms).toBeGreaterThanOrEqual(1)
    expect(busy.p99Ms).toBeLessThanOrEqual(1.125)
    // Quiet for 30 s; a snapshot notices the new second; then 3 calls of 5 ms are all timed.
    at(130_000)
    expect(stats.snapshot()).toMatchObject({perSecond: 0, p99Ms: null})
    for (let index = 0; index < 3; index++) timedCall(stats, at, 130_100 + index * 100, 130_105 + index * 100)
    at(131_000)
    const quiet = stats.snapshot()
    // The window is [122, 131]: 3 calls in 9 s.
    expect(quiet.perSecond).toBeCloseTo(3 / 9, 5)
    expect(quiet.p99Ms).toBeGreaterThanOrEqual(5)
    expect(quiet.p99Ms).toBeLessThanOrEqual(5 * 1.125)
  })
})

describe('RpcStatsRecorder.totals (what /metrics reads)', () => {
  it('counts every call exactly, and times each one into cumulative buckets while fewer than 256 come a second', () => {
    const {stats, at} = recorder()
    for (let index = 0; index < 200; index++) timedCall(stats, at, 100_000 + index, 100_000 + index + 0.04)
    timedCall(stats, at, 100_300, 100_302, new StewardError('NO_SUCH_METHOD', 'no'))
    at(100_400)
    const startedCast = stats.cast.begin()
    stats.cast.succeeded(startedCast)
    const totals = stats.totals()
    expect(totals).toMatchObject({calls: 201, casts: 1, errors: {NO_SUCH_METHOD: 1}, inFlight: 0})
    // Casts are not call latency: 201 calls, 200 of 40 µs and one of 2 ms.
    expect(totals.latency.count).toBe(201)
    const bucketOf = (seconds: number): number => totals.latency.counts[totals.latency.bounds.indexOf(seconds)]!
    expect(bucketOf(0.00005)).toBe(200)
    expect(bucketOf(0.0025)).toBe(1)
    expect(totals.latency.sumSeconds).toBeCloseTo(200 * 0.00004 + 0.002, 9)
  })

  it('keeps counting every call exactly past 256 a second, where the histogram weighs each sampled call 16', () => {
    const {stats, at} = recorder()
    const calls = 5000
    // All in one second: the first 256 are timed, then one in 16 at random.
    for (let index = 0; index < calls; index++) timedCall(stats, at, 100_000 + index * 0.1, 100_000 + index * 0.1 + 0.05)
    const totals = stats.totals()
    expect(totals.calls).toBe(calls)
    const {latency} = totals
    const timedBeyond = (latency.count - 256) / 16
    expect(Number.isInteger(timedBeyond)).toBe(true)
    // An estimate of the calls answered; the random sampling makes it close, not exact.
    expect(latency.count).toBeGreaterThan(calls * 0.8)
    expect(latency.count).toBeLessThan(calls * 1.2)
  })
})
