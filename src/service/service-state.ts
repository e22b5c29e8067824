import type {ServiceRecord} from '../store/types.js'

export type ServiceState = 'up' | 'down' | 'stopped'
export type ServiceStatus = 'enabled' | 'disabled'

/**
 * Whether a record's last sign of life is recent: `|now − (updatedAt ?? createdAt)| ≤ downTime`.
 * A timestamp in the future (clock skew) counts as not recent, as in Manila.
 */
export function isFresh(record: ServiceRecord, now: Date, downTimeSeconds: number): boolean {
  const last = Date.parse(record.updatedAt ?? record.createdAt)
  const age = now.getTime() - last
  return age >= 0 && age <= downTimeSeconds * 1000
}

/** The state of a service, computed when read: stopped after a clean stop, else up or down. */
export function serviceState(record: ServiceRecord, now: Date, downTimeSeconds: number): ServiceState {
  if (record.stoppedAt !== null) return 'stopped'
  return isFresh(record, now, downTimeSeconds) ? 'up' : 'down'
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
