/** Monitor models, a fake source and fake actions for the TUI's component tests. */
import type {MonitoredHost, MonitoredService, MonitorModel, ServiceTelemetry, TelemetryLogLine} from '../../src/monitor/telemetry.js'
import type {ServiceSummary} from '../../src/service/host-topic.js'
import type {Actions, MonitorSource} from '../../src/tui/monitor-source.js'

export const AT = '2026-01-02T10:00:00.000Z'

export function host(name: string, overrides: Partial<MonitoredHost> = {}): MonitoredHost {
  return {
    record: {name, endpoint: `ipc:///tmp/steward/${name}.sock`, publicKey: null, pid: 4000 + name.length, version: '0.1.0', startedAt: AT, updatedAt: AT, stoppedAt: null},
    state: 'up',
    telemetry: {name, pid: 4000 + name.length, endpoint: `ipc:///tmp/steward/${name}.sock`, uptimeSeconds: 3725, rssBytes: 83 * 1024 * 1024, heapUsedBytes: 21 * 1024 * 1024, cpuPercent: 3.5},
    ...overrides,
  }
}

export function telemetry(hostName: string, topic: string, overrides: Partial<ServiceTelemetry> = {}): ServiceTelemetry {
  return {
    host: hostName,
    binary: `steward-${topic}`,
    topic,
    manager: `${topic}.manager`,
    plugin: {name: `steward-plugin-${topic}`, version: '1.2.0'},
    rpcApiVersion: '1.3',
    lifecycle: 'running',
    generation: {state: 'serving', generation: 3, reloads: 2, failedReloads: 0, lastReload: {trigger: `plugins/${topic}/manager.ts`, generation: 3, at: AT, durationMs: 142, ok: true}, inFlight: 1, retiring: 0, pluginDirs: []},
    periodicTasks: [
      {name: 'report_capabilities', method: 'report_capabilities', spacing: 60, enabled: true, running: false, lastStartedAt: Date.parse(AT), lastDurationMs: 12, lastError: null, nextDueInMs: 45_000, runs: 30, failures: 1, totalDurationMs: 390},
      {name: 'prune', method: 'prune', spacing: 600, enabled: true, running: false, lastStartedAt: Date.parse(AT), lastDurationMs: 3, lastError: 'disk full', nextDueInMs: 0, runs: 4, failures: 4, totalDurationMs: 14},
    ],
    drivers: [{name: `${topic}-memory`, family: 'Driver', plugin: {name: `steward-plugin-${topic}`, version: '1.2.0'}}],
    capabilities: null,
    rpc: {calls: 1200, casts: 3, errors: {}, inFlight: 1, perSecond: 42.5, p99Ms: 12.3},
    ...overrides,
  }
}

let nextId = 1

export function service(hostName: string, topic: string, overrides: Partial<MonitoredService> = {}): MonitoredService {
  return {
    id: nextId++,
    host: hostName,
    binary: `steward-${topic}`,
    topic,
    zone: 'nova',
    status: 'enabled',
    state: 'up',
    updatedAt: AT,
    createdAt: AT,
    reportCount: 120,
    disabledReason: null,
    heartbeatAgeSeconds: 2,
    telemetry: telemetry(hostName, topic),
    ...overrides,
  }
}

export function logLine(hostName: string, message: string, overrides: Partial<TelemetryLogLine> = {}): TelemetryLogLine {
  return {time: AT, host: hostName, level: 'info', message, fields: {}, ...overrides}
}

/** Two hosts, node1 (share, scheduler) and node2 (share on a backend, and a down api). */
export function twoHostModel(overrides: Partial<MonitorModel> = {}): MonitorModel {
  return {
    at: AT,
    hosts: [host('node1'), host('node2')],
    services: [
      service('node1', 'share'),
      service('node1', 'scheduler', {telemetry: telemetry('node1', 'scheduler', {rpc: {calls: 9, casts: 0, errors: {MESSAGING_TIMEOUT: 2}, inFlight: 0, perSecond: 0.5, p99Ms: 250}})}),
      service('node2@lvm', 'share', {status: 'disabled', disabledReason: 'disk replacement'}),
      service('node2', 'api', {state: 'down', heartbeatAgeSeconds: 95, telemetry: null}),
    ],
    logs: [
      logLine('node1', 'host started'),
      logLine('node1', 'reloaded: generation 3 serves', {fields: {service: 'steward-share@node1'}}),
      logLine('node2', 'heartbeat skipped', {level: 'warn', fields: {service: 'steward-api@node2'}}),
      logLine('node2', 'debug detail', {level: 'debug'}),
    ],
    ...overrides,
  }
}

/** A source whose model the test sets; counts its subscribers. */
export class FakeSource implements MonitorSource {
  private readonly listeners = new Set<(model: MonitorModel) => void>()
  constructor(public model: MonitorModel = twoHostModel()) {}
  current(): MonitorModel {
    return this.model
  }
  subscribe(listener: (model: MonitorModel) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
  get subscribers(): number {
    return this.listeners.size
  }
  emit(model: MonitorModel): void {
    this.model = model
    for (const listener of this.listeners) listener(model)
  }
}

export interface RecordedCall {
  action: keyof Actions
  args: unknown[]
}

function summary(host: string, topic: string, ok = true): ServiceSummary {
  return {
    topic,
    binary: `steward-${topic}`,
    host,
    manager: `${topic}.manager`,
    state: 'running',
    generation: {state: 'serving', generation: 4, reloads: 3, failedReloads: ok ? 0 : 1, lastReload: {trigger: 'reload requested', generation: 4, at: AT, durationMs: 130, ok, ...(ok ? {} : {error: 'SyntaxError: Unexpected token'})}, inFlight: 0, retiring: 0, pluginDirs: []},
  }
}

/** Actions that record what they were asked; `fail` makes the next one reject. */
export class FakeActions implements Actions {
  readonly calls: RecordedCall[] = []
  fail: Error | undefined
  callResult: unknown = {ok: true}
  reloadOk = true

  private record<T>(action: keyof Actions, args: unknown[], value: T): Promise<T> {
    this.calls.push({action, args})
    const error = this.fail
    this.fail = undefined
    return error === undefined ? Promise.resolve(value) : Promise.reject(error)
  }

  enable(host: string, binary: string): Promise<void> {
    return this.record('enable', [host, binary], undefined)
  }
  disable(host: string, binary: string, reason: string): Promise<void> {
    return this.record('disable', [host, binary, reason], undefined)
  }
  reload(host: string, topic: string): Promise<ServiceSummary> {
    return this.record('reload', [host, topic], summary(host, topic, this.reloadOk))
  }
  restart(host: string, topic: string): Promise<ServiceSummary> {
    return this.record('restart', [host, topic], summary(host, topic))
  }
  call(topic: string, server: string, method: string, args: Record<string, unknown>): Promise<unknown> {
    return this.record('call', [topic, server, method, args], this.callResult)
  }
}
