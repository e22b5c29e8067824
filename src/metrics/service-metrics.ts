import {Counter, Gauge, type Registry} from 'prom-client'
import type {PeriodicTaskStatus} from '../manager/periodic-tasks.js'
import type {RpcTotals} from '../monitor/rpc-stats.js'
import type {GenerationStatus} from '../plugins/generation-slot.js'
import {PrecountedHistogram} from './precounted-histogram.js'

/** What one scrape reads of one service, once, before the registry renders. */
export interface ServiceReading {
  /** `host` (the service host: `node1`, or `node1@backend`) and `topic`: every series' labels. */
  labels: {host: string; topic: string}
  rpc: RpcTotals
  generation: GenerationStatus | undefined
  heartbeatAgeSeconds: number | undefined
  /** The serving generation's tasks; empty when it did not answer in time. */
  periodicTasks: readonly PeriodicTaskStatus[]
}

/**
 * Register the per-service metrics (docs/observability.md, "Metrics"). Each reads the services'
 * own counters when the registry is scraped (a collect callback), so nothing is counted twice and
 * the RPC path does no work for Prometheus.
 */
export function registerServiceMetrics(registry: Registry, read: () => readonly ServiceReading[]): void {
  const registers = [registry]
  const serviceLabels = ['host', 'topic'] as const
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[], values: (reading: ServiceReading) => Array<[Record<L, string>, number]>): void =>
    void new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset()
        for (const reading of read()) for (const [labels, value] of values(reading)) this.inc(labels as never, value)
      },
    })
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], values: (reading: ServiceReading) => Array<[Record<L, string>, number]>): void =>
    void new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset()
        for (const reading of read()) for (const [labels, value] of values(reading)) this.set(labels as never, value)
      },
    })
  const taskLabels = ['host', 'topic', 'task'] as const
  const perTask = (reading: ServiceReading, value: (task: PeriodicTaskStatus) => number | null): Array<[Record<(typeof taskLabels)[number], string>, number]> =>
    reading.periodicTasks.flatMap((task) => {
      const measured = value(task)
      return measured === null ? [] : [[{...reading.labels, task: task.name}, measured]]
    })

  counter('steward_rpc_calls_total', 'RPC calls the service received (counted as each begins).', serviceLabels, (reading) => [[reading.labels, reading.rpc.calls]])
  counter('steward_rpc_casts_total', 'RPC casts and fanouts the service received.', serviceLabels, (reading) => [[reading.labels, reading.rpc.casts]])
  counter('steward_rpc_errors_total', 'RPC calls and casts that failed, by error code.', ['host', 'topic', 'code'], (reading) =>
    Object.entries(reading.rpc.errors).map(([code, count]) => [{...reading.labels, code}, count]),
  )
  gauge('steward_rpc_in_flight', 'RPC calls and casts the service is running now.', serviceLabels, (reading) => [[reading.labels, reading.rpc.inFlight]])
  new PrecountedHistogram(
    'steward_rpc_call_duration_seconds',
    'Time the service took to answer RPC calls. Every call is timed up to 256 a second per service; above, one in 16 at random, counted 16 times.',
    () => read().map((reading) => ({labels: reading.labels, buckets: reading.rpc.latency})),
  ).register(registry)
  gauge('steward_service_heartbeat_age_seconds', 'Seconds since the service last recorded a heartbeat in the state store.', serviceLabels, (reading) =>
    reading.heartbeatAgeSeconds === undefined ? [] : [[reading.labels, reading.heartbeatAgeSeconds]],
  )
  gauge('steward_service_generation', 'The number of the generation serving the service (1 at start, one more per reload).', serviceLabels, (reading) =>
    reading.generation === undefined ? [] : [[reading.labels, reading.generation.generation]],
  )
  counter('steward_service_reloads_total', 'Reloads and replacements of the service\'s generation, by result (ok, failed).', ['host', 'topic', 'result'], (reading) =>
    reading.generation === undefined
      ? []
      : [
          [{...reading.labels, result: 'ok'}, reading.generation.reloads],
          [{...reading.labels, result: 'failed'}, reading.generation.failedReloads],
        ],
  )
  counter('steward_periodic_task_runs_total', 'Finished runs of a periodic task in the serving generation.', taskLabels, (reading) => perTask(reading, (task) => task.runs))
  counter('steward_periodic_task_failures_total', 'Runs of a periodic task that threw, in the serving generation.', taskLabels, (reading) => perTask(reading, (task) => task.failures))
  counter('steward_periodic_task_duration_seconds_total', 'Time the finished runs of a periodic task took together, in the serving generation.', taskLabels, (reading) =>
    perTask(reading, (task) => task.totalDurationMs / 1000),
  )
  gauge('steward_periodic_task_last_duration_seconds', 'How long the latest finished run of a periodic task took.', taskLabels, (reading) =>
    perTask(reading, (task) => (task.lastDurationMs === null ? null : task.lastDurationMs / 1000)),
  )
}
