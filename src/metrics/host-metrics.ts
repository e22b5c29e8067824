import {Counter, Gauge, Registry, collectDefaultMetrics} from 'prom-client'
import type {Service} from '../service/service.js'
import type {BackendStats} from '../store/types.js'
import {PrecountedHistogram} from './precounted-histogram.js'
import {registerServiceMetrics, type ServiceReading} from './service-metrics.js'

/** What a host's metrics are read from, at each scrape. */
export interface MetricsSource {
  /** The host's name: the `host` label of its process's metrics. */
  name: string
  services: readonly Service[]
  /** The state store's counters (the file store keeps them). */
  store: Readonly<BackendStats> | undefined
  /** Messages and connections the RPC server refused, by reason. */
  refused: Readonly<Record<string, number>>
  /** Connections (ZeroMQ DEALER sockets) the host's RPC client holds to other hosts. */
  peerConnections: number
  /** With the profiler on: the new traces the host began, recorded or refused by its rate limit. */
  newTraces?: {recorded: number; rateLimited: number}
}

/** What `steward metrics --json` and the host topic's `metrics` with `{"format": "json"}` give. */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>

/** The content type of the text format (Prometheus' 0.0.4). */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE

/** How long a scrape waits for a generation's periodic task counters. */
const DETAILS_WAIT_MS = 500

/**
 * A host's Prometheus metrics (docs/observability.md, "Metrics"): its services' counters, read
 * where they are kept (RPC statistics, generations, heartbeats, periodic tasks), and its process's
 * (memory, CPU, event-loop delay, handles, store commits, RPC connections). Built at the first
 * scrape, so a host that is never scraped pays nothing, not even the event-loop delay monitor.
 */
export class HostMetrics {
  private registry: Registry | undefined
  private readings: readonly ServiceReading[] = []
  private source!: MetricsSource

  constructor(private readonly read: () => MetricsSource) {}

  /** The text format, as GET /metrics answers. */
  async text(): Promise<string> {
    return (await this.scrape()).metrics()
  }

  /** prom-client's JSON form: one object per metric, with its values and their labels. */
  async json(): Promise<MetricsJson> {
    return (await this.scrape()).getMetricsAsJSON()
  }

  private async scrape(): Promise<Registry> {
    this.source = this.read()
    this.readings = await Promise.all(this.source.services.map((service) => readService(service)))
    this.registry ??= this.build()
    return this.registry
  }

  private build(): Registry {
    const registry = new Registry()
    registry.setDefaultLabels({host: this.source.name})
    collectDefaultMetrics({register: registry})
    registerServiceMetrics(registry, () => this.readings)
    const registers = [registry]
    const source = (): MetricsSource => this.source
    new Counter({
      name: 'steward_store_mutations_total',
      help: 'Changes this host asked of the state store.',
      registers,
      collect() {
        this.reset()
        this.inc(source().store?.mutations ?? 0)
      },
    })
    new Counter({
      name: 'steward_store_commits_total',
      help: 'Writes of the state file by this host: each takes the lock once and applies the changes queued meanwhile.',
      registers,
      collect() {
        this.reset()
        this.inc(source().store?.commits ?? 0)
      },
    })
    new PrecountedHistogram('steward_store_commit_duration_seconds', 'Time a commit of the state file took: the lock, a read, the write and the rename.', () => {
      const latency = source().store?.commitLatency
      return latency === undefined ? [] : [{labels: {}, buckets: latency}]
    }).register(registry)
    new Counter({
      name: 'steward_rpc_refused_total',
      help: 'Messages and connections the host\'s RPC server refused, by reason (an error code).',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset()
        for (const [reason, count] of Object.entries(source().refused)) this.inc({reason}, count)
      },
    })
    new Counter({
      name: 'steward_profiler_traces_total',
      help: 'New traces the host began (requests in profiler_sample_ratio\'s share that arrived without a trace parent), by the decision of profiler_trace_rate_limit: recorded or rate_limited. Only while the profiler is on.',
      labelNames: ['decision'],
      registers,
      collect() {
        this.reset()
        const traces = source().newTraces
        if (traces === undefined) return
        this.inc({decision: 'recorded'}, traces.recorded)
        this.inc({decision: 'rate_limited'}, traces.rateLimited)
      },
    })
    new Gauge({
      name: 'steward_rpc_peer_connections',
      help: 'Connections (ZeroMQ sockets) the host\'s RPC client holds open to other hosts.',
      registers,
      collect() {
        this.set(source().peerConnections)
      },
    })
    return registry
  }
}

async function readService(service: Service): Promise<ServiceReading> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), DETAILS_WAIT_MS)))
  const details = await Promise.race([service.details().catch(() => undefined), late])
  clearTimeout(timer)
  return {
    labels: {host: service.host, topic: service.topic},
    rpc: service.rpcStats.totals(),
    generation: service.generationStatus(),
    heartbeatAgeSeconds: service.heartbeatAgeSeconds,
    periodicTasks: details?.periodicTasks ?? [],
  }
}
