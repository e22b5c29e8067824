import {StewardError} from '../errors/index.js'
import {isFresh, isRecent} from '../service/service-state.js'
import type {HostRecord, StateStore} from '../store/types.js'

/** The topic every host answers on itself (`host.<name>`): status, starting, stopping and reloading services. */
export const HOST_TOPIC = 'host'

/** One live service a message can go to, and how to reach its host. */
export interface RouteTarget {
  /** The service host, `node1` or `node1@backend`: the request's `server`. */
  server: string
  /** The host process it runs in. */
  host: string
  endpoint: string
  publicKey: string | null
}

interface Snapshot {
  takenAt: number
  byKey: Map<string, RouteTarget[]>
  services: Awaited<ReturnType<StateStore['listServices']>>
  hosts: Map<string, HostRecord>
}

/** The key of a (topic, server) route, in the resolver's snapshot and the client's rotation. */
export function routeKey(topic: string, server: string | undefined): string {
  return `${topic}\u0000${server ?? ''}`
}

/** The host process a service host runs in: `node1@backend` runs in `node1`. */
export function processHost(serviceHost: string): string {
  const at = serviceHost.indexOf('@')
  return at === -1 ? serviceHost : serviceHost.slice(0, at)
}

/**
 * Finds the live services of a topic and their hosts' endpoints in the state store. The table
 * changes slowly, so a snapshot is reused for `ttlMs`; a lookup that finds nothing reads the store
 * again before it says so.
 */
export class TargetResolver {
  private snapshot: Snapshot | undefined

  constructor(
    private readonly store: Pick<StateStore, 'listServices' | 'listHosts' | 'location'>,
    private readonly downTimeSeconds: number,
    private readonly ttlMs = 1000,
  ) {}

  /** Every live service of the topic (only `server`'s when given), with a reachable host. */
  async resolve(topic: string, server?: string): Promise<RouteTarget[]> {
    const now = performance.now()
    if (this.snapshot === undefined || now - this.snapshot.takenAt > this.ttlMs) await this.refresh()
    let targets = this.lookup(topic, server)
    if (targets.length === 0 && now - this.snapshot!.takenAt > 50) {
      await this.refresh()
      targets = this.lookup(topic, server)
    }
    return targets
  }

  /**
   * The live targets from a fresh snapshot, without waiting: undefined when the snapshot is stale
   * or holds none (then use resolve or require). The hot path of every call.
   */
  cached(topic: string, server?: string, key = routeKey(topic, server)): RouteTarget[] | undefined {
    if (this.snapshot === undefined || performance.now() - this.snapshot.takenAt > this.ttlMs) return undefined
    const targets = this.lookup(topic, server, key)
    return targets.length > 0 ? targets : undefined
  }

  /** Like resolve, but NO_SERVICE_AVAILABLE when nothing is live. */
  async require(topic: string, server: string | undefined, method: string): Promise<RouteTarget[]> {
    const targets = await this.resolve(topic, server)
    if (targets.length > 0) return targets
    const where = server === undefined ? topic : `${topic}.${server}`
    throw new StewardError('NO_SERVICE_AVAILABLE', `No live service listens on ${where} for ${method}.`, {
      data: {topic, server, method},
      suggestions: ['Run `steward services list --topic ' + topic + '` to see its services and their state.'],
    })
  }

  private async refresh(): Promise<void> {
    const [services, hosts] = await Promise.all([this.store.listServices(), this.store.listHosts()])
    this.snapshot = {takenAt: performance.now(), byKey: new Map(), services, hosts: new Map(hosts.map((host) => [host.name, host]))}
  }

  private lookup(topic: string, server: string | undefined, key = routeKey(topic, server)): RouteTarget[] {
    const snapshot = this.snapshot!
    let targets = snapshot.byKey.get(key)
    if (targets !== undefined) return targets
    const now = new Date()
    targets = []
    if (topic === HOST_TOPIC) {
      // Every running host answers on its own topic, found in the hosts table.
      for (const host of snapshot.hosts.values()) {
        if ((server !== undefined && host.name !== server) || host.stoppedAt !== null || !isRecent(host.updatedAt, now, this.downTimeSeconds)) continue
        targets.push({server: host.name, host: host.name, endpoint: host.endpoint, publicKey: host.publicKey})
      }
      snapshot.byKey.set(key, targets)
      return targets
    }
    for (const service of snapshot.services) {
      if (service.topic !== topic || (server !== undefined && service.host !== server)) continue
      if (service.stoppedAt !== null || !isFresh(service, now, this.downTimeSeconds)) continue
      const host = snapshot.hosts.get(processHost(service.host))
      if (host === undefined || host.stoppedAt !== null) continue
      targets.push({server: service.host, host: host.name, endpoint: host.endpoint, publicKey: host.publicKey})
    }
    snapshot.byKey.set(key, targets)
    return targets
  }
}
