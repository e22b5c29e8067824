import {describe, expect, it} from 'vitest'
import {parseMetrics, valueOf} from '../../test/helpers/prometheus-text.js'
import type {PeriodicTaskStatus} from '../manager/periodic-tasks.js'
import {RpcStatsRecorder} from '../monitor/rpc-stats.js'
import type {GenerationDetails} from '../plugins/generation.js'
import type {GenerationStatus} from '../plugins/generation-slot.js'
import type {Service} from '../service/service.js'
import {HostMetrics, type MetricsSource} from './host-metrics.js'
import {LatencyBuckets, STORE_LATENCY_BOUNDS} from './latency-buckets.js'

const task = (name: string, runs: number, failures: number, totalDurationMs: number, lastDurationMs: number | null): PeriodicTaskStatus => ({
  name,
  method: name,
  spacing: 60,
  enabled: true,
  running: false,
  lastStartedAt: null,
  lastDurationMs,
  lastError: null,
  nextDueInMs: 1000,
  runs,
  failures,
  totalDurationMs,
})

const generation = (number: number, reloads: number, failedReloads: number): GenerationStatus => ({
  state: 'serving',
  generation: number,
  reloads,
  failedReloads,
  lastReload: undefined,
  inFlight: 0,
  retiring: 0,
  pluginDirs: [],
})

/** What HostMetrics reads of a service, and nothing else: a Service as the host holds it. */
function fakeService(options: {host: string; topic: string; details: () => Promise<GenerationDetails | undefined>; status?: GenerationStatus; heartbeatAgeSeconds?: number}): Service {
  return {
    host: options.host,
    topic: options.topic,
    rpcStats: new RpcStatsRecorder(),
    details: options.details,
    generationStatus: () => options.status,
    heartbeatAgeSeconds: options.heartbeatAgeSeconds,
  } as unknown as Service
}

describe('HostMetrics', () => {
  it('reads periodic tasks, reloads, heartbeats, store commits and refused messages where they are kept, at each scrape', async () => {
    const share = fakeService({
      host: 'node1@fast',
      topic: 'share',
      status: generation(3, 1, 1),
      heartbeatAgeSeconds: 2.5,
      details: async () => ({periodicTasks: [task('report_capabilities', 30, 2, 4500, 120), task('prune', 0, 0, 0, null)], drivers: [], capabilities: null}),
    })
    const commitLatency = new LatencyBuckets(STORE_LATENCY_BOUNDS)
    commitLatency.observe(0.003)
    const source: MetricsSource = {
      name: 'node1',
      services: [share],
      store: {mutations: 12, commits: 1, recoveredLocks: 0, commitLatency},
      refused: {PROTOCOL_ERROR: 3},
      peerConnections: 2,
      newTraces: {recorded: 100, rateLimited: 7},
    }
    const metrics = new HostMetrics(() => source)
    const stats = share.rpcStats
    stats.call.failed(stats.call.begin(), {code: 'SHARE_NOT_FOUND'})
    stats.cast.succeeded(stats.cast.begin())
    stats.call.begin() // still running

    const scrape = parseMetrics(await metrics.text())
    const labels = {host: 'node1@fast', topic: 'share'}
    expect(valueOf(scrape, 'steward_rpc_calls_total', labels)).toBe(2)
    expect(valueOf(scrape, 'steward_rpc_casts_total', labels)).toBe(1)
    expect(valueOf(scrape, 'steward_rpc_errors_total', {...labels, code: 'SHARE_NOT_FOUND'})).toBe(1)
    expect(valueOf(scrape, 'steward_rpc_in_flight', labels)).toBe(1)
    expect(valueOf(scrape, 'steward_rpc_call_duration_seconds_count', labels)).toBe(1)
    expect(valueOf(scrape, 'steward_service_heartbeat_age_seconds', labels)).toBe(2.5)
    expect(valueOf(scrape, 'steward_service_generation', labels)).toBe(3)
    expect(valueOf(scrape, 'steward_service_reloads_total', {...labels, result: 'ok'})).toBe(1)
    expect(valueOf(scrape, 'steward_service_reloads_total', {...labels, result: 'failed'})).toBe(1)
    const reporting = {...labels, task: 'report_capabilities'}
    expect(valueOf(scrape, 'steward_periodic_task_runs_total', reporting)).toBe(30)
    expect(valueOf(scrape, 'steward_periodic_task_failures_total', reporting)).toBe(2)
    expect(valueOf(scrape, 'steward_periodic_task_duration_seconds_total', reporting)).toBe(4.5)
    expect(valueOf(scrape, 'steward_periodic_task_last_duration_seconds', reporting)).toBe(0.12)
    // A task that never ran has counters at 0 and no last duration.
    expect(scrape.samples.filter((sample) => sample.name === 'steward_periodic_task_last_duration_seconds' && sample.labels.task === 'prune')).toEqual([])
    expect(valueOf(scrape, 'steward_store_mutations_total', {host: 'node1'})).toBe(12)
    expect(valueOf(scrape, 'steward_store_commit_duration_seconds_bucket', {host: 'node1', le: '0.005'})).toBe(1)
    expect(valueOf(scrape, 'steward_rpc_refused_total', {host: 'node1', reason: 'PROTOCOL_ERROR'})).toBe(3)
    expect(valueOf(scrape, 'steward_rpc_peer_connections', {host: 'node1'})).toBe(2)
    expect(valueOf(scrape, 'steward_profiler_traces_total', {host: 'node1', decision: 'recorded'})).toBe(100)
    expect(valueOf(scrape, 'steward_profiler_traces_total', {host: 'node1', decision: 'rate_limited'})).toBe(7)
    expect(valueOf(scrape, 'process_resident_memory_bytes', {host: 'node1'})).toBeGreaterThan(0)

    // The next scrape reads the counters anew; a service the host no longer runs is gone.
    stats.call.succeeded(stats.call.begin())
    expect(valueOf(parseMetrics(await metrics.text()), 'steward_rpc_calls_total', labels)).toBe(3)
    source.services = []
    const json = await metrics.json()
    expect(json.find((metric) => metric.name === 'steward_rpc_calls_total')?.values).toEqual([])
  })

  it('leaves out the periodic tasks of a generation that does not answer, and still answers', async () => {
    const hung = fakeService({host: 'node1', topic: 'sysinfo', details: () => new Promise<undefined>(() => {})})
    const scrape = parseMetrics(await new HostMetrics(() => ({name: 'node1', services: [hung], store: undefined, refused: {}, peerConnections: 0})).text())
    expect(valueOf(scrape, 'steward_rpc_calls_total', {host: 'node1', topic: 'sysinfo'})).toBe(0)
    expect(scrape.samples.filter((sample) => sample.name.startsWith('steward_periodic_task'))).toEqual([])
    // No generation yet: no generation or reload series; no heartbeat yet: no age.
    expect(scrape.samples.filter((sample) => sample.name === 'steward_service_generation' || sample.name === 'steward_service_heartbeat_age_seconds')).toEqual([])
    // The profiler is off: no trace counts.
    expect(scrape.samples.filter((sample) => sample.name === 'steward_profiler_traces_total')).toEqual([])
  })
})
