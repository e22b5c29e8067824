import type {Metric, Registry} from 'prom-client'
import type {LatencyBuckets} from './latency-buckets.js'

/** One series of a precounted histogram: its labels and the buckets counted elsewhere. */
export interface PrecountedSeries {
  labels: Record<string, string>
  buckets: LatencyBuckets
}

interface ExportedValue {
  value: number
  labels: Record<string, string | number>
  metricName: string
}

/**
 * A Prometheus histogram whose buckets are counted elsewhere, on a hot path, and only read here
 * when the registry is scraped. prom-client's own Histogram counts its observations itself
 * (`observe()`, one at a time, with a label lookup each) and cannot take counts made by someone
 * else, nor weighted ones; this gives the registry the same shape (`name`, `help`, `type`,
 * `aggregator`, `get()`) that it reads from its own metrics.
 */
export class PrecountedHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => readonly PrecountedSeries[],
  ) {}

  /** Add it to a registry, which reads only what prom-client's own metrics have in common. */
  register(registry: Registry): void {
    registry.registerMetric(this as unknown as Metric)
  }

  async get(): Promise<{name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: ExportedValue[]}> {
    const values: ExportedValue[] = []
    for (const {labels, buckets} of this.read()) {
      let cumulative = 0
      for (let bucket = 0; bucket < buckets.counts.length; bucket++) {
        cumulative += buckets.counts[bucket]!
        const le = bucket < buckets.bounds.length ? buckets.bounds[bucket]! : '+Inf'
        values.push({value: cumulative, labels: {...labels, le}, metricName: `${this.name}_bucket`})
      }
      values.push({value: buckets.sumSeconds, labels, metricName: `${this.name}_sum`}, {value: buckets.count, labels, metricName: `${this.name}_count`})
    }
    return {name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values}
  }
}
