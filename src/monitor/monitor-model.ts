import {processHost} from '../rpc/target-resolver.js'
import {hostState, viewService} from '../service/service-state.js'
import type {HostRecord, ServiceRecord} from '../store/types.js'
import type {HostSnapshot, MonitoredHost, MonitoredService, MonitorModel, ServiceTelemetry, TelemetryLogLine} from './telemetry.js'

/** A host's latest snapshot and when it came (epoch ms, the monitor's clock). */
export interface ReceivedSnapshot {
  snapshot: HostSnapshot
  receivedAt: number
}

export interface ModelInputs {
  now: Date
  /** service_down_time, seconds: up/down of services and hosts. */
  downTimeSeconds: number
  services: readonly ServiceRecord[]
  hosts: readonly HostRecord[]
  /** By host process name. */
  snapshots: ReadonlyMap<string, ReceivedSnapshot>
  /** A snapshot older than this is no longer shown (its host stopped sending). */
  staleAfterMs: number
  logs: TelemetryLogLine[]
}

/**
 * Join the store's records with the hosts' latest snapshots: what the TUI draws. A service's
 * telemetry comes from its process host's snapshot (the service host up to `@`); it is null when
 * that host sent none lately (stopped, killed, unreachable, an older steward) or when its host
 * record says it stopped. Hosts sort by name, services by host then binary, so they group.
 */
export function buildMonitorModel(inputs: ModelInputs): MonitorModel {
  const {now, downTimeSeconds} = inputs
  const fresh = new Map<string, HostSnapshot>()
  for (const [name, {snapshot, receivedAt}] of inputs.snapshots) {
    if (now.getTime() - receivedAt <= inputs.staleAfterMs) fresh.set(name, snapshot)
  }
  const hosts: MonitoredHost[] = [...inputs.hosts]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((record) => {
      const state = hostState(record, now, downTimeSeconds)
      if (state === 'stopped') fresh.delete(record.name)
      return {record, state, telemetry: fresh.get(record.name)?.host ?? null}
    })
  const byService = new Map<string, ServiceTelemetry>()
  for (const [name, snapshot] of fresh) {
    for (const service of snapshot.services) {
      if (processHost(service.host) === name) byService.set(key(service.host, service.binary), service)
    }
  }
  const services: MonitoredService[] = [...inputs.services]
    .sort((a, b) => a.host.localeCompare(b.host) || a.binary.localeCompare(b.binary))
    .map((record) => ({
      ...viewService(record, now, downTimeSeconds),
      heartbeatAgeSeconds: record.updatedAt === null ? null : (now.getTime() - Date.parse(record.updatedAt)) / 1000,
      telemetry: byService.get(key(record.host, record.binary)) ?? null,
    }))
  return {at: now.toISOString(), hosts, services, logs: inputs.logs}
}

function key(host: string, binary: string): string {
  return `${host}\u0000${binary}`
}
