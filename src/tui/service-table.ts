/** The services table: its columns, and the rows it shows after filter, sort and grouping. */
import type {MonitoredHost, MonitoredService} from '../monitor/telemetry.js'
import {hostProcessOf} from '../service/service-state.js'
import {formatAge, formatMs, formatRate} from './format.js'
import {compareSortValues, type Column, type Tone} from './table-columns.js'

export interface StateLabel {
  symbol: string
  text: string
  tone: Tone
}

const STATE_ORDER = ['errored', 'down', 'restarting', 'starting', 'stopped', 'up']

/**
 * What the state column says: down and stopped from the store first, then a generation that is
 * not serving (errored, restarting, starting), else up.
 */
export function serviceStateLabel(service: MonitoredService): StateLabel {
  if (service.state === 'down') return {symbol: '▼', text: 'down', tone: 'bad'}
  if (service.state === 'stopped') return {symbol: '■', text: 'stopped', tone: 'muted'}
  const generation = service.telemetry?.generation?.state
  if (generation === 'errored') return {symbol: '✖', text: 'errored', tone: 'bad'}
  if (generation === 'restarting') return {symbol: '↻', text: 'restarting', tone: 'warn'}
  if (generation === 'starting') return {symbol: '…', text: 'starting', tone: 'warn'}
  return {symbol: '▲', text: 'up', tone: 'good'}
}

export function hostStateLabel(state: MonitoredHost['state']): StateLabel {
  if (state === 'up') return {symbol: '▲', text: 'up', tone: 'good'}
  if (state === 'down') return {symbol: '▼', text: 'down', tone: 'bad'}
  return {symbol: '■', text: 'stopped', tone: 'muted'}
}

export function errorCount(service: MonitoredService): number | null {
  const errors = service.telemetry?.rpc.errors
  return errors === undefined ? null : Object.values(errors).reduce((sum, count) => sum + count, 0)
}

/** `3/1`: the serving generation and the reloads since the service started. */
export function generationText(service: MonitoredService): string {
  const generation = service.telemetry?.generation
  return generation === null || generation === undefined ? '-' : `${generation.generation}/${generation.reloads}`
}

export const SERVICE_COLUMNS: readonly Column<MonitoredService>[] = [
  {id: 'host', title: 'HOST', width: 16, minWidth: 10, priority: 9, steady: true, value: (s) => s.host},
  {id: 'binary', title: 'BINARY', width: 18, minWidth: 10, priority: 0, steady: true, value: (s) => s.binary},
  {id: 'topic', title: 'TOPIC', width: 12, minWidth: 6, priority: 10, steady: true, value: (s) => s.topic},
  {id: 'zone', title: 'ZONE', width: 8, minWidth: 4, priority: 11, steady: true, value: (s) => s.zone},
  {id: 'status', title: 'STATUS', width: 8, priority: 2, steady: true, value: (s) => s.status, tone: (s) => (s.status === 'disabled' ? 'warn' : undefined)},
  {
    id: 'state',
    title: 'STATE',
    width: 10,
    priority: 1,
    steady: true,
    value: (s) => {
      const label = serviceStateLabel(s)
      return `${label.symbol} ${label.text}`
    },
    sortValue: (s) => STATE_ORDER.indexOf(serviceStateLabel(s).text),
    tone: (s) => serviceStateLabel(s).tone,
  },
  {id: 'heartbeat', title: 'HB', width: 6, priority: 3, align: 'right', value: (s) => formatAge(s.heartbeatAgeSeconds), sortValue: (s) => s.heartbeatAgeSeconds},
  {id: 'generation', title: 'GEN/RL', width: 6, priority: 4, align: 'right', value: generationText, sortValue: (s) => s.telemetry?.generation?.reloads ?? null},
  {id: 'inFlight', title: 'INFL', width: 4, priority: 7, align: 'right', value: (s) => (s.telemetry === null ? '-' : String(s.telemetry.rpc.inFlight)), sortValue: (s) => s.telemetry?.rpc.inFlight ?? null},
  {id: 'rate', title: 'CALL/S', width: 6, priority: 5, align: 'right', value: (s) => formatRate(s.telemetry?.rpc.perSecond ?? null), sortValue: (s) => s.telemetry?.rpc.perSecond ?? null},
  {id: 'p99', title: 'P99', width: 7, priority: 5, align: 'right', value: (s) => formatMs(s.telemetry?.rpc.p99Ms ?? null), sortValue: (s) => s.telemetry?.rpc.p99Ms ?? null},
  {
    id: 'errors',
    title: 'ERR',
    width: 5,
    priority: 6,
    align: 'right',
    value: (s) => String(errorCount(s) ?? '-'),
    sortValue: errorCount,
    tone: (s) => ((errorCount(s) ?? 0) > 0 ? 'bad' : undefined),
  },
]

/** The key of a service in the UI's selection: unique in the store. */
export function serviceKey(service: {host: string; binary: string}): string {
  return `${service.host}\u0000${service.binary}`
}

/** Whether `key` is the service's serviceKey, without building it (a lookup among 1,000 services a paint). */
export function hasServiceKey(service: {host: string; binary: string}, key: string | undefined): boolean {
  const {host, binary} = service
  return key !== undefined && key.length === host.length + 1 + binary.length && key.charCodeAt(host.length) === 0 && key.startsWith(host) && key.endsWith(binary)
}

export interface ServiceSort {
  column: string
  descending: boolean
}

export type ServiceLine =
  | {kind: 'group'; host: string; state: MonitoredHost['state'] | null; count: number}
  | {kind: 'service'; service: MonitoredService}

/** The words of a filter, lower case: what matchesFilter looks for. */
export function filterWords(filter: string): string[] {
  return filter.toLowerCase().split(/\s+/).filter((word) => word !== '')
}

/** Whether every word (filterWords) is in one of the service's fields (case-insensitive). */
export function matchesFilter(service: MonitoredService, words: readonly string[]): boolean {
  if (words.length === 0) return true
  const label = serviceStateLabel(service)
  const haystack = [service.host, service.binary, service.topic, service.zone, service.status, service.state, label.text, service.telemetry?.plugin?.name ?? '', service.telemetry?.manager ?? '']
    .join(' ')
    .toLowerCase()
  return words.every((word) => haystack.includes(word))
}

/** The table's lines: services that match, grouped by host process (hosts by name), sorted in each group. */
export function serviceLines(services: readonly MonitoredService[], hosts: readonly MonitoredHost[], filter: string, sort: ServiceSort): ServiceLine[] {
  const column = SERVICE_COLUMNS.find((candidate) => candidate.id === sort.column) ?? SERVICE_COLUMNS[0]
  const sortValue = (service: MonitoredService) => (column === undefined ? service.binary : (column.sortValue ?? column.value)(service))
  const groups = new Map<string, MonitoredService[]>()
  // Once a paint, not once a service: this runs on every model with 1,000 services.
  const words = filterWords(filter)
  for (const service of services) {
    if (!matchesFilter(service, words)) continue
    const host = hostProcessOf(service.host)
    const group = groups.get(host)
    if (group === undefined) groups.set(host, [service])
    else group.push(service)
  }
  const lines: ServiceLine[] = []
  for (const host of [...groups.keys()].sort(compareSortValues)) {
    // Each service's sort value once, not once per comparison.
    const group = (groups.get(host) ?? []).map((service) => ({service, value: sortValue(service)}))
    group.sort((a, b) => {
      const order = compareSortValues(a.value, b.value)
      // Null stays last whichever way; ties keep a stable, readable order.
      const directed = sort.descending && a.value !== null && b.value !== null ? -order : order
      return directed !== 0 ? directed : compareSortValues(a.service.host, b.service.host) || compareSortValues(a.service.binary, b.service.binary)
    })
    lines.push({kind: 'group', host, state: hosts.find((candidate) => candidate.record.name === host)?.state ?? null, count: group.length})
    for (const {service} of group) lines.push({kind: 'service', service})
  }
  return lines
}
