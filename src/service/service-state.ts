import type {ApiEndpointRecord, HostRecord, ServiceRecord} from '../store/types.js'

export type ServiceState = 'up' | 'down' | 'stopped'
export type ServiceStatus = 'enabled' | 'disabled'

/** Whether a timestamp is at most `downTimeSeconds` old. One in the future (clock skew) is not. */
export function isRecent(timestamp: string, now: Date, downTimeSeconds: number): boolean {
  const age = now.getTime() - Date.parse(timestamp)
  return age >= 0 && age <= downTimeSeconds * 1000
}

/** Whether a record's last sign of life, `updatedAt ?? createdAt`, is recent (as in Manila). */
export function isFresh(record: ServiceRecord, now: Date, downTimeSeconds: number): boolean {
  return isRecent(record.updatedAt ?? record.createdAt, now, downTimeSeconds)
}

/** The state of a service, computed when read: stopped after a clean stop, else up or down. */
export function serviceState(record: ServiceRecord, now: Date, downTimeSeconds: number): ServiceState {
  if (record.stoppedAt !== null) return 'stopped'
  return isFresh(record, now, downTimeSeconds) ? 'up' : 'down'
}

/** The liveness of a host process, by the same rule as its services. */
export function hostState(host: HostRecord, now: Date, downTimeSeconds: number): ServiceState {
  if (host.stoppedAt !== null) return 'stopped'
  return isRecent(host.updatedAt, now, downTimeSeconds) ? 'up' : 'down'
}

/** The host process of a service host: `node1` for `node1@lvm`. */
export function hostProcessOf(serviceHost: string): string {
  const at = serviceHost.indexOf('@')
  return at === -1 ? serviceHost : serviceHost.slice(0, at)
}

/** A service as commands and the API show it. */
export interface ServiceView {
  id: number
  host: string
  binary: string
  topic: string
  zone: string
  status: ServiceStatus
  state: ServiceState
  updatedAt: string | null
  createdAt: string
  reportCount: number
  disabledReason: string | null
}

export function viewService(record: ServiceRecord, now: Date, downTimeSeconds: number): ServiceView {
  return {
    id: record.id,
    host: record.host,
    binary: record.binary,
    topic: record.topic,
    zone: record.zone,
    status: record.disabled ? 'disabled' : 'enabled',
    state: serviceState(record, now, downTimeSeconds),
    updatedAt: record.updatedAt,
    createdAt: record.createdAt,
    reportCount: record.reportCount,
    disabledReason: record.disabledReason,
  }
}

/** A host as commands and the API show it. */
export interface HostView {
  name: string
  endpoint: string
  pid: number
  version: string
  startedAt: string
  updatedAt: string
  state: ServiceState
  curve: boolean
  /** Its HTTP APIs, while it runs. */
  apis: ApiEndpointRecord[]
}

export function viewHost(host: HostRecord, now: Date, downTimeSeconds: number): HostView {
  const state = hostState(host, now, downTimeSeconds)
  return {
    name: host.name,
    endpoint: host.endpoint,
    pid: host.pid,
    version: host.version,
    startedAt: host.startedAt,
    updatedAt: host.updatedAt,
    state,
    curve: host.publicKey !== null,
    // A host killed with -9 leaves its record: its APIs are gone with it.
    apis: state === 'up' ? (host.apis ?? []) : [],
  }
}
