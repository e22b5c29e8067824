/**
 * What the scheduler knows of the share backends (Manila's HostManager and HostState): the last
 * capabilities each reported, judged against the services table. Plain logic without I/O, so the
 * rules are unit-tested on their own (host-state.test.ts).
 */

/** One pool as a backend reports it (see the share plugin's share-types.ts). */
export interface PoolReport {
  name: string
  totalCapacityGb: number
  freeCapacityGb: number
  allocatedCapacityGb: number
  reservedPercentage: number
}

/** The capabilities a share backend publishes. */
export interface BackendCapabilities {
  backendName: string
  driver: string
  pools: PoolReport[]
}

/** A capability report, as `updateServiceCapabilities` receives it. */
export interface CapabilityReport {
  serviceName: string
  /** The reporting service host, `host@backend`. */
  host: string
  capabilities: unknown
  /** When the reporter sent it (its clock), ISO 8601. */
  timestamp: string
}

/** A share service as the services table shows it (ManagerContext.services). */
export interface ServiceView {
  host: string
  zone: string
  status: 'enabled' | 'disabled'
  state: 'up' | 'down' | 'stopped'
}

/** One candidate of a decision: a pool, `host@backend#pool`, with its backend's service. */
export interface PoolState extends PoolReport {
  /** `host@backend#pool`: where a share placed here lives. */
  id: string
  /** `host@backend`: the service that creates it. */
  host: string
  zone: string
  service: Pick<ServiceView, 'status' | 'state'>
}

/** One backend's entry in the map. */
export interface BackendState {
  host: string
  capabilities: BackendCapabilities
  /** The timestamp of the report held. */
  reportedAt: number
  /**
   * When this scheduler last took capacity from it (a share placed there). A report read before
   * then, or in the same millisecond, may not count the share yet, so it is ignored (Manila's
   * HostState does the same with the time it last consumed from a host).
   */
  consumedAt: number
  /** Its pools' capacity as the scheduler counts it: the report, less what it placed since. */
  pools: PoolReport[]
}

/** What happened to a report. */
export type ReportOutcome = 'accepted' | 'stale' | 'not-a-share-service' | 'malformed'

/** The topic whose reports the scheduler keeps. */
export const SHARE_TOPIC = 'share'

export class HostStateMap {
  private readonly backends = new Map<string, BackendState>()

  /**
   * Take a capability report. Reports of other topics are ignored (Manila: only `share`), and a
   * report older than the one held, or than the last capacity taken from the backend, is stale.
   * The first report of a backend is taken however old.
   */
  update(report: CapabilityReport): ReportOutcome {
    if (report.serviceName !== SHARE_TOPIC) return 'not-a-share-service'
    if (!isBackendCapabilities(report.capabilities)) return 'malformed'
    const timestamp = Date.parse(report.timestamp)
    const held = this.backends.get(report.host)
    if (held !== undefined && (!(timestamp >= held.reportedAt) || timestamp <= held.consumedAt)) return 'stale'
    const capabilities = structuredClone(report.capabilities)
    this.backends.set(report.host, {host: report.host, capabilities, reportedAt: timestamp, consumedAt: held?.consumedAt ?? 0, pools: capabilities.pools})
    return 'accepted'
  }

  /**
   * Judge the map against the services table: a backend whose service is down, stopped,
   * disabled or gone is forgotten (its next report after it is back brings it back). Returns the
   * hosts forgotten, and the share services that are up and enabled but have not reported.
   */
  refresh(services: readonly ServiceView[]): {forgotten: string[]; unreported: string[]} {
    const live = new Map(services.filter((service) => service.state === 'up' && service.status === 'enabled').map((service) => [service.host, service]))
    const forgotten = [...this.backends.keys()].filter((host) => !live.has(host))
    for (const host of forgotten) this.backends.delete(host)
    const unreported = [...live.keys()].filter((host) => !this.backends.has(host))
    return {forgotten, unreported}
  }

  /** Every pool of every backend the map holds, with its service, by id (for filters and weighers). */
  pools(services: readonly ServiceView[]): PoolState[] {
    const byHost = new Map(services.map((service) => [service.host, service]))
    const pools: PoolState[] = []
    for (const backend of this.backends.values()) {
      const service = byHost.get(backend.host)
      if (service === undefined) continue
      for (const pool of backend.pools) {
        pools.push({...pool, id: `${backend.host}#${pool.name}`, host: backend.host, zone: service.zone, service: {status: service.status, state: service.state}})
      }
    }
    // By id, not by arrival: decisions and their reasons read the same whatever order reports came in.
    return pools.sort((a, b) => a.id.localeCompare(b.id))
  }

  /** A share of `size` GiB was placed in this pool: count it until the backend reports again. */
  consume(poolId: string, size: number, now = Date.now()): void {
    const hash = poolId.indexOf('#')
    const backend = this.backends.get(poolId.slice(0, hash))
    if (backend === undefined) return
    backend.consumedAt = now
    backend.pools = backend.pools.map((pool) =>
      pool.name === poolId.slice(hash + 1) ? {...pool, freeCapacityGb: pool.freeCapacityGb - size, allocatedCapacityGb: pool.allocatedCapacityGb + size} : pool,
    )
  }

  /** The backends held, by host: what monitors and `getPools` show. */
  snapshot(): Record<string, {reportedAt: string; capabilities: BackendCapabilities; pools: PoolReport[]}> {
    return Object.fromEntries(
      [...this.backends.values()].map((backend) => [backend.host, {reportedAt: new Date(backend.reportedAt).toISOString(), capabilities: backend.capabilities, pools: backend.pools}]),
    )
  }
}

function isBackendCapabilities(value: unknown): value is BackendCapabilities {
  if (typeof value !== 'object' || value === null) return false
  const {pools} = value as {pools?: unknown}
  return Array.isArray(pools) && pools.every((pool) => typeof pool === 'object' && pool !== null && typeof (pool as PoolReport).name === 'string' && typeof (pool as PoolReport).freeCapacityGb === 'number')
}
