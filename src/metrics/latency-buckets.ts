/**
 * Upper bounds, in seconds, of the RPC call latency buckets: from 25 µs (a local call) to a minute
 * (rpc_response_timeout's default).
 */
export const RPC_LATENCY_BOUNDS: readonly number[] = [
  0.000_025, 0.000_05, 0.0001, 0.000_25, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
]

/** Upper bounds, in seconds, of the state store's commit latency buckets: a lock, a read, a rename. */
export const STORE_LATENCY_BOUNDS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/**
 * A cumulative latency histogram with fixed bounds, as Prometheus exposes one: counts per bucket
 * (not yet cumulated), their sum and count. observe() allocates nothing and walks the bounds from
 * the smallest, so the fast observations, the common ones, are the cheapest. An observation may
 * weigh more than one: a sampled one stands for the ones around it that were not timed.
 */
export class LatencyBuckets {
  /** Observations per bucket; the last one is above every bound (+Inf). */
  readonly counts: Float64Array
  sumSeconds = 0
  count = 0

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1)
  }

  observe(seconds: number, weight = 1): void {
    const {bounds} = this
    let bucket = 0
    while (bucket < bounds.length && seconds > bounds[bucket]!) bucket++
    this.counts[bucket]! += weight
    this.sumSeconds += seconds * weight
    this.count += weight
  }
}
