/**
 * What hosts tell monitors, and what a monitor shows: the shared shapes of the telemetry feed
 * (docs/protocol.md, "Telemetry feed") and of the TUI's model. Plain data, JSON on the wire.
 */
import type {LogLevel} from '../config/options.js'
import type {PeriodicTaskStatus} from '../manager/periodic-tasks.js'
import type {DriverInfo} from '../plugins/generation.js'
import type {GenerationStatus, ReloadRecord} from '../plugins/generation-slot.js'
import type {SlowTrace} from '../profiler/tracing.js'
import type {ServiceView} from '../service/service-state.js'
import type {HostRecord} from '../store/types.js'

/** RPC served by one service since it started, and over the last seconds. */
export interface RpcStats {
  calls: number
  casts: number
  /** Failed calls and casts by error code. */
  errors: Record<string, number>
  inFlight: number
  /** Calls and casts per second over the last 10 s. */
  perSecond: number
  /** p99 of call latency over the last 10 s, in ms; null without calls. */
  p99Ms: number | null
}

/** What a host knows of one of its services beyond its record in the store. */
export interface ServiceTelemetry {
  /** Service host (`host` or `host@backend`) and binary: the record's key. */
  host: string
  binary: string
  topic: string
  manager: string
  /** The providing plugin; null before its generation loaded. */
  plugin: {name: string; version: string} | null
  rpcApiVersion: string | null
  /** created, starting, running, stopping, stopped. */
  lifecycle: string
  generation: GenerationStatus | null
  periodicTasks: PeriodicTaskStatus[]
  /** The drivers its manager loaded; empty before its generation loaded. */
  drivers: DriverInfo[]
  /** What its manager describes as capabilities (plain data); null for none. */
  capabilities: unknown
  rpc: RpcStats
  /**
   * With the profiler on: the slowest calls and casts the service served in the last 10 minutes
   * (at most 5, slowest first), to look up with `steward trace show`. Absent with it off.
   */
  slowTraces?: SlowTrace[]
}

/** A host process as it reports itself. */
export interface HostTelemetry {
  name: string
  pid: number
  endpoint: string
  uptimeSeconds: number
  rssBytes: number
  heapUsedBytes: number
  /** CPU used by the process over the last second, percent of one core. */
  cpuPercent: number
}

/** One host's state at one moment: published every second while a monitor listens. */
export interface HostSnapshot {
  at: string
  host: HostTelemetry
  services: ServiceTelemetry[]
}

/** A log line of a host, as monitors get it. */
export interface TelemetryLogLine {
  time: string
  host: string
  level: LogLevel
  message: string
  fields: Record<string, unknown>
  /**
   * The host process's number for the line: 1 for its first, one more for each after (lines the
   * feed did not send included). With `host` and `time` it tells a line that comes twice, live
   * and in a backlog, from two lines. Absent on the feed's own lines about dropped lines.
   */
  seq?: number
}

/** The events of the feed. */
export type FeedEvent =
  | {type: 'snapshot'; snapshot: HostSnapshot}
  | {type: 'log'; line: TelemetryLogLine}
  | {type: 'reload'; host: string; binary: string; record: ReloadRecord}
  /** The last lines a host logged, oldest first: sent when a subscription to `backlog` arrives. */
  | {type: 'backlog'; host: string; lines: TelemetryLogLine[]}

/** A service as the monitor shows it: the store's view joined with its host's telemetry. */
export interface MonitoredService extends ServiceView {
  /** Seconds since the last heartbeat; null before the first. */
  heartbeatAgeSeconds: number | null
  /** Null when its host sends no telemetry (stopped, unreachable, or an older steward). */
  telemetry: ServiceTelemetry | null
}

/** A host as the monitor shows it. */
export interface MonitoredHost {
  record: HostRecord
  state: 'up' | 'down' | 'stopped'
  telemetry: HostTelemetry | null
}

/** Everything the TUI draws, at one moment. */
export interface MonitorModel {
  at: string
  hosts: MonitoredHost[]
  services: MonitoredService[]
  /** The newest log lines of all hosts, oldest first, bounded. */
  logs: TelemetryLogLine[]
}
