import {LatencyBuckets, RPC_LATENCY_BOUNDS} from '../metrics/latency-buckets.js'
import type {RpcStats} from './telemetry.js'

/** Seconds the sliding window of calls/s and p99 covers. */
export const WINDOW_SECONDS = 10

/**
 * Latency bins: exact below 8 µs, then 8 bins per power of two (each within 12.5% of its
 * neighbours), up to 2^31 µs (~36 minutes; longer calls fall in the last bin).
 */
const SUB_BINS = 8
const BINS = (31 - 2) * SUB_BINS
const MAX_MICROS = 0x7fffffff

/**
 * Requests timed each second before sampling starts; after that one in SAMPLE_EVERY is timed and
 * weighs SAMPLE_EVERY in the histogram. Reading the clock (performance.now, ~70 ns here) twice was
 * most of what counting cost a request; sampling keeps busy services to one read in 16 requests.
 */
const TIMED_PER_SECOND = 256
const SAMPLE_EVERY = 16

/**
 * xorshift32: which requests are sampled is random, so a pattern in the traffic (every other call
 * slow) cannot line up with the sampling. Cheaper than Math.random, and it allocates nothing.
 */
let sampleState = 0x9e3779b9 | 0
function sampled(): boolean {
  sampleState ^= sampleState << 13
  sampleState ^= sampleState >>> 17
  sampleState ^= sampleState << 5
  return (sampleState & (SAMPLE_EVERY - 1)) === 0
}

/** The counters since the service started, as Prometheus reads them (src/metrics). */
export interface RpcTotals {
  readonly calls: number
  readonly casts: number
  /** Failed calls and casts by error code. */
  readonly errors: Readonly<Record<string, number>>
  readonly inFlight: number
  /**
   * The latency of every timed call since the start, each weighted as in the window (1, or 16 for
   * a sampled one): exact counts while a service gets up to 256 requests a second, an estimate
   * above.
   */
  readonly latency: LatencyBuckets
}

/** What the slot tells when a call it was given settles (see GenerationSlot.dispatch). */
export interface CallTiming {
  /** Count a call or cast that begins; returns its start time for the settle below (-1: not timed). */
  begin(): number
  succeeded(startedAt: number): void
  failed(startedAt: number, error: unknown): void
}

/**
 * RPC counters of one service, kept on the path of every call, so each call costs a few counter
 * increments and one write into a per-second bucket; nothing is allocated per call. The window
 * is ten one-second buckets (a ring): each holds how many requests finished in that second and
 * a histogram of the calls' latencies, so calls/s and p99 cover the whole window however many
 * calls it saw, in bounded memory. p99 is a bin's upper edge: at most 12.5% above the true value.
 * Every request is timed up to 256 a second, then one in 16 at random (weighted 16); one not timed
 * counts in the second of the latest clock reading, at such rates some 16 requests old. snapshot()
 * starts timing every request again when that reading is from a past second, so a service whose
 * rate has dropped is timed in full again from the next snapshot on (a monitor takes one a second).
 */
export class RpcStatsRecorder {
  private callCount = 0
  private castCount = 0
  private inFlight = 0
  private readonly errors: Record<string, number> = {}
  /** Finished requests per bucket, and which second each bucket holds (-1: none yet). */
  private readonly finished = new Float64Array(WINDOW_SECONDS)
  private readonly seconds = new Float64Array(WINDOW_SECONDS).fill(-1)
  /** Call latency histograms, WINDOW_SECONDS × BINS; allocated on the first call. */
  private histograms: Uint32Array | undefined
  /** The bucket of the latest clock reading, and how many requests were timed in it. */
  private slot = 0
  private timedInSlot = 0
  private readonly createdAt: number
  /** Every timed call since the start, in Prometheus' buckets: read when /metrics is scraped. */
  private readonly latency = new LatencyBuckets(RPC_LATENCY_BOUNDS)
  /** For calls: counted in `calls`, timed into the histograms. */
  readonly call: CallTiming
  /** For casts: counted in `casts`; their duration is not call latency. */
  readonly cast: CallTiming

  /** @param clock monotonic milliseconds. @default performance.now */
  constructor(private readonly clock: () => number = () => performance.now()) {
    this.createdAt = clock()
    this.call = {
      begin: () => {
        this.callCount++
        this.inFlight++
        return this.timeOrNot()
      },
      succeeded: (startedAt) => this.settle(startedAt, true),
      failed: (startedAt, error) => {
        this.countError(error)
        this.settle(startedAt, true)
      },
    }
    this.cast = {
      begin: () => {
        this.castCount++
        this.inFlight++
        return this.timeOrNot()
      },
      succeeded: (startedAt) => this.settle(startedAt, false),
      failed: (startedAt, error) => {
        this.countError(error)
        this.settle(startedAt, false)
      },
    }
  }

  /** The counters now, and calls/s and p99 over the last WINDOW_SECONDS. */
  snapshot(): RpcStats {
    const now = this.clock()
    const second = Math.floor(now / 1000)
    if (this.seconds[this.slot] !== second) this.timedInSlot = 0
    let count = 0
    const merged = this.histograms === undefined ? undefined : new Float64Array(BINS)
    for (let slot = 0; slot < WINDOW_SECONDS; slot++) {
      const held = this.seconds[slot]!
      if (held <= second - WINDOW_SECONDS || held > second) continue
      count += this.finished[slot]!
      if (merged !== undefined) for (let bin = 0; bin < BINS; bin++) merged[bin]! += this.histograms![slot * BINS + bin]!
    }
    // The window runs from the start of its oldest second (or the service's start) to now.
    const from = Math.max((second - WINDOW_SECONDS + 1) * 1000, this.createdAt)
    const spanSeconds = Math.max(1, (now - from) / 1000)
    return {
      calls: this.callCount,
      casts: this.castCount,
      errors: {...this.errors},
      inFlight: this.inFlight,
      perSecond: count / spanSeconds,
      p99Ms: merged === undefined ? null : quantileMs(merged, 0.99),
    }
  }

  /** The counters since the start, without the window's work: what a Prometheus scrape reads. */
  totals(): RpcTotals {
    return {calls: this.callCount, casts: this.castCount, errors: this.errors, inFlight: this.inFlight, latency: this.latency}
  }

  /** The start time of a request to time, or -1. */
  private timeOrNot(): number {
    return this.timedInSlot < TIMED_PER_SECOND || sampled() ? this.clock() : -1
  }

  private settle(startedAt: number, latency: boolean): void {
    this.inFlight--
    if (startedAt < 0) {
      this.finished[this.slot]!++
      return
    }
    const now = this.clock()
    const second = Math.floor(now / 1000)
    const slot = second % WINDOW_SECONDS
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second
      this.finished[slot] = 0
      this.histograms?.fill(0, slot * BINS, slot * BINS + BINS)
      this.timedInSlot = 0
    }
    this.slot = slot
    this.finished[slot]!++
    // Past the first requests of a second, a timed one stands for the SAMPLE_EVERY around it.
    const weight = ++this.timedInSlot > TIMED_PER_SECOND ? SAMPLE_EVERY : 1
    if (!latency) return
    const elapsedMs = now - startedAt
    this.histograms ??= new Uint32Array(WINDOW_SECONDS * BINS)
    this.histograms[slot * BINS + binOf(elapsedMs * 1000)]! += weight
    this.latency.observe(elapsedMs / 1000, weight)
  }

  private countError(error: unknown): void {
    const code = (error as {code?: unknown} | null)?.code
    const key = typeof code === 'string' && code !== '' ? code : 'REMOTE_ERROR'
    this.errors[key] = (this.errors[key] ?? 0) + 1
  }
}

/** The bin of a latency in microseconds. */
export function binOf(micros: number): number {
  const us = Math.min(MAX_MICROS, Math.max(0, Math.floor(micros)))
  if (us < SUB_BINS) return us
  const exponent = 31 - Math.clz32(us)
  return (exponent - 2) * SUB_BINS + ((us >>> (exponent - 3)) & (SUB_BINS - 1))
}

/** The upper edge of a bin, in microseconds: every latency in it is below this. */
export function binUpperMicros(bin: number): number {
  if (bin < SUB_BINS) return bin + 1
  const exponent = Math.floor(bin / SUB_BINS) + 2
  return (SUB_BINS + 1 + (bin % SUB_BINS)) * 2 ** (exponent - 3)
}

/** The q-quantile of a histogram, as its bin's upper edge in ms; null when it is empty. */
function quantileMs(histogram: Float64Array, q: number): number | null {
  let total = 0
  for (const count of histogram) total += count
  if (total === 0) return null
  const rank = Math.ceil(q * total)
  let seen = 0
  for (let bin = 0; bin < histogram.length; bin++) {
    seen += histogram[bin]!
    if (seen >= rank) return binUpperMicros(bin) / 1000
  }
  return binUpperMicros(histogram.length - 1) / 1000
}
