import {randomUUID} from 'node:crypto'
import {createContext, Manager, type RequestContext} from 'steward'
import {filterPools, type FilterResult, type ShareRequest} from './filters.js'
import {HostStateMap, SHARE_TOPIC, type CapabilityReport, type PoolState} from './host-state.js'
import {choosePool, weighByFreeCapacity} from './weighers.js'

/** Where the share records live: the share plugin's collection (see plugins/share/share-types.ts). */
const SHARE_PLUGIN = 'steward-plugin-share'
const SHARES_COLLECTION = 'shares'
/** The share service's RPC version this scheduler speaks. */
const SHARE_RPC_VERSION = '1.0'

/** What `createShare` takes. */
export interface CreateShareArgs {
  /** GiB, a whole number ≥ 1. */
  size?: unknown
  name?: unknown
  /** Place it in this zone only. */
  availabilityZone?: unknown
}

/** A pool as `getPools` answers (Manila's scheduler-stats/pools). */
export interface PoolView {
  /** `host@backend#pool`. */
  name: string
  host: string
  backend: string
  pool: string
  zone: string
  capabilities: {totalCapacityGb: number; freeCapacityGb: number; allocatedCapacityGb: number; reservedPercentage: number}
}

/**
 * The scheduler (Manila's FilterScheduler with its HostManager). It keeps what each share
 * backend last reported, and places each new share:
 *
 * 1. the share's record is created in `creating` (in the share plugin's `shares` collection);
 * 2. the backends are judged against the services table (`this.context.services`): those down,
 *    stopped or disabled are forgotten;
 * 3. their pools are filtered (service up and enabled, availability zone, capacity) and weighed
 *    (free capacity); the heaviest wins, `host@backend#pool`;
 * 4. the scheduler counts the share against that pool at once (so the next decision does not
 *    pick a pool it just filled) and casts `createShare` to the backend's service.
 *
 * When no pool is left the share goes to `error` with the reason, naming why each pool was left out.
 */
export class SchedulerManager extends Manager {
  /** 1.0: updateServiceCapabilities, createShare, getPools. */
  static override rpcApiVersion = '1.0'
  static override rpcMethods = ['updateServiceCapabilities', 'createShare', 'getPools']

  private readonly hostStates = new HostStateMap()

  /** Listening: ask every share service for its capabilities rather than wait for their next report. */
  override async initHostWithRpc(): Promise<void> {
    try {
      await this.context.rpc.prepare({topic: SHARE_TOPIC, fanout: true, version: SHARE_RPC_VERSION}).cast(createContext(this.host), 'publishServiceCapabilities')
    } catch (error) {
      if ((error as {code?: unknown}).code !== 'NO_SERVICE_AVAILABLE') throw error
      this.log.debug('no share service runs yet: they report when they start')
    }
  }

  /** RPC (fanned out by every share service): take its capabilities, unless the report is stale. */
  updateServiceCapabilities(_ctx: RequestContext, report: CapabilityReport): void {
    const outcome = this.hostStates.update(report)
    if (outcome === 'accepted') this.log.info(`capabilities of ${report.host} accepted (${report.timestamp})`, {capabilities: report.capabilities})
    else if (outcome === 'stale') this.log.info(`capabilities of ${report.host} ignored: the report of ${report.timestamp} is stale`)
    else this.log.debug(`capabilities of ${report.serviceName} ${report.host} ignored (${outcome})`)
  }

  /**
   * RPC: place a new share and have its backend create it. Answers the share's record: `creating`
   * with its `host` chosen (it becomes `available` once the backend has made it), or `error`
   * with the reason no backend fits now. A size no backend could hold even empty is refused
   * (`SHARE_CAPACITY_EXCEEDED`) and leaves no record.
   */
  async createShare(ctx: RequestContext, args: CreateShareArgs): Promise<Record<string, unknown>> {
    const request = shareRequest(args)
    const shares = this.context.collection(SHARES_COLLECTION, {plugin: SHARE_PLUGIN})
    const id = randomUUID()
    const name = typeof args.name === 'string' ? args.name : null
    const record = (fields: Record<string, unknown>) => {
      const now = new Date().toISOString()
      return {id, name, size: request.size, status: 'creating', statusReason: null, availabilityZone: request.availabilityZone, host: null, exportLocation: null, createdAt: now, updatedAt: now, ...fields}
    }

    // One decision at a time: each one counts its share against the pool before the next weighs.
    const decision = await this.synchronized('schedule', async () => {
      const pools = await this.candidatePools()
      const largest = Math.max(...pools.map(usableCapacity))
      // No backend could hold it even empty: a mistake of the request, refused with no record left.
      if (pools.length > 0 && request.size > largest) throw capacityExceeded(request.size, largest)
      const filtered = filterPools(pools, request)
      const pool = choosePool(weighByFreeCapacity(filtered.passed, this.capacityWeightMultiplier()))
      if (pool === undefined) return {reason: noValidHost(pools, filtered)}
      // The record names its host as it is written, then the share counts from now on: a backend's
      // report read after this moment counts the share from its record, and older ones are ignored.
      const placed = record({host: pool.id, availabilityZone: pool.zone})
      await shares.put(placed)
      this.hostStates.consume(pool.id, request.size)
      return {pool, placed}
    })
    if (decision.pool === undefined) {
      this.log.warn(`share ${id} (${request.size} GiB): ${decision.reason}`)
      const failed = record({status: 'error', statusReason: decision.reason})
      await shares.put(failed)
      return failed
    }
    const {pool, placed} = decision
    this.log.info(`share ${id} (${request.size} GiB) goes to ${pool.id}`)
    try {
      await this.context.rpc.prepare({topic: SHARE_TOPIC, server: pool.host, version: SHARE_RPC_VERSION}).cast(ctx, 'createShare', {shareId: id})
    } catch (error) {
      // The backend went away between its last report and now.
      const reason = `No valid host was found: ${pool.host} cannot be reached (${error instanceof Error ? error.message : String(error)}).`
      this.log.warn(`share ${id}: ${reason}`)
      return (await shares.update(id, {status: 'error', statusReason: reason, updatedAt: new Date().toISOString()}))!
    }
    return placed
  }

  /** RPC: the pools this scheduler would choose from now, with their capacity as it counts it. */
  async getPools(_ctx: RequestContext): Promise<PoolView[]> {
    const pools = await this.candidatePools()
    return pools.map((pool) => ({
      name: pool.id,
      host: pool.host.split('@')[0]!,
      backend: pool.host.split('@')[1] ?? '',
      pool: pool.name,
      zone: pool.zone,
      capabilities: {totalCapacityGb: pool.totalCapacityGb, freeCapacityGb: pool.freeCapacityGb, allocatedCapacityGb: pool.allocatedCapacityGb, reservedPercentage: pool.reservedPercentage},
    }))
  }

  /** Monitors show the scheduler's host-state map: each backend's capabilities and counted pools. */
  override describeCapabilities(): unknown {
    return this.hostStates.snapshot()
  }

  /**
   * The pools of the backends that are up and enabled now. Backends that are up but never
   * reported (a scheduler started after them, a re-enabled backend the map forgot) are asked to
   * report, and count from their report on.
   */
  private async candidatePools(): Promise<PoolState[]> {
    const services = await this.context.services({topic: SHARE_TOPIC})
    const {forgotten, unreported} = this.hostStates.refresh(services)
    for (const host of forgotten) this.log.info(`forgot ${host}: its service is down, stopped or disabled`)
    for (const host of unreported) {
      await this.context.rpc
        .prepare({topic: SHARE_TOPIC, server: host, version: SHARE_RPC_VERSION})
        .cast(createContext(this.host), 'publishServiceCapabilities')
        .catch((error: unknown) => this.log.debug(`could not ask ${host} for its capabilities`, {error}))
    }
    return this.hostStates.pools(services)
  }

  private capacityWeightMultiplier(): number {
    const multiplier = this.context.config.capacity_weight_multiplier ?? 1
    if (typeof multiplier !== 'number' || !Number.isFinite(multiplier)) throw new Error(`scheduler.capacity_weight_multiplier must be a number, found ${JSON.stringify(multiplier)}`)
    return multiplier
  }
}

/** Check a request: a whole positive size in GiB, an optional zone. */
function shareRequest(args: CreateShareArgs): ShareRequest {
  const {size, availabilityZone} = args
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
    throw Object.assign(new Error(`size must be a whole number of GiB, at least 1; found ${JSON.stringify(size)}.`), {name: 'ShareError', code: 'SHARE_INVALID_SIZE', data: {size}})
  }
  if (availabilityZone !== undefined && availabilityZone !== null && typeof availabilityZone !== 'string') {
    throw Object.assign(new Error(`availabilityZone must be a zone name, found ${JSON.stringify(availabilityZone)}.`), {name: 'ShareError', code: 'SHARE_INVALID_ZONE', data: {availabilityZone}})
  }
  return {size, availabilityZone: availabilityZone ?? null}
}

/** What a pool could hold were it empty: its total less the part kept free. */
function usableCapacity(pool: PoolState): number {
  return pool.totalCapacityGb - Math.floor((pool.totalCapacityGb * pool.reservedPercentage) / 100)
}

function capacityExceeded(size: number, largest: number): Error {
  return Object.assign(new Error(`No share backend can hold ${size} GiB: the largest pool holds ${largest} GiB when empty.`), {name: 'ShareError', code: 'SHARE_CAPACITY_EXCEEDED', data: {size, largestPoolGb: largest}})
}

/** Why no pool was chosen: Manila's "No valid host was found", with each pool's reason. */
function noValidHost(pools: readonly PoolState[], filtered: FilterResult): string {
  if (pools.length === 0) return 'No valid host was found: no share backend that is up and enabled has reported its capabilities.'
  return `No valid host was found: ${filtered.rejected.map((entry) => `${entry.pool}: ${entry.reason} (${entry.filter})`).join('; ')}.`
}
