import {createContext, SCHEDULER_TOPIC, SchedulerDependentManager, type PeriodicTaskDeclarations, type RequestContext} from 'steward'
import {ShareDriver, type ShareSpec} from './share-driver.js'
import {checkSize, serverOf, SHARES_COLLECTION, ShareError, type ShareCapabilities, type ShareRecord, type ShareStatus} from './share-types.js'

/** What the share methods take: the share's id, and for a resize its new size in GiB. */
export interface ShareArgs {
  shareId?: unknown
  newSize?: unknown
}

/**
 * The share service of one backend (Manila's ShareManager). It runs as host `<host>@<backend>`
 * for each backend of the `share` section, and:
 *
 * - creates, deletes, extends and shrinks shares through its driver when asked over RPC (the
 *   scheduler casts `createShare` to the backend it chose), keeping each share's record and status
 *   in the plugin's `shares` collection;
 * - on start, sets its driver up and ensures the shares it already holds (Manila's ensure_shares);
 *   until the driver is set up it skips heartbeats, so it reads `down` and is never chosen;
 * - reports its driver's capacity to the schedulers: every minute, at start, and after each change.
 */
export class ShareManager extends SchedulerDependentManager {
  /** 1.0: createShare, deleteShare, extendShare, shrinkShare, listShares, publishServiceCapabilities. */
  static override rpcApiVersion = '1.0'
  static override rpcMethods = ['createShare', 'deleteShare', 'extendShare', 'shrinkShare', 'listShares']
  /**
   * `reportDriverStatus` reads the driver's stats and publishes them in one go, so what is sent is
   * never older than the last change, and a host without a scheduler is not an error every minute.
   * It replaces the inherited publish-only task, which is switched off.
   */
  static override periodicTasks: PeriodicTaskDeclarations = {
    publishServiceCapabilities: {spacing: 60, enabled: false},
    reportDriverStatus: {spacing: 60},
  }

  private driver: ShareDriver | undefined
  /** When the capabilities held were read: what a report is stamped with (see publishServiceCapabilities). */
  private statsReadAt = new Date(0).toISOString()

  /** The backend's name: the part of the service host after `@` (the host itself without backends). */
  get backendName(): string {
    return this.host.includes('@') ? this.host.slice(this.host.indexOf('@') + 1) : this.host
  }

  /** Before RPC: set the driver up, bring back the shares this backend holds, read its capacity. */
  override async initHost(): Promise<void> {
    this.driver = await this.context.loadDriver(ShareDriver, this.context.config.driver ?? 'share-memory')
    await this.driver.doSetup()
    await this.ensureShares()
    await this.updateStats()
  }

  /** Listening: tell the schedulers what this backend can hold, without waiting a minute. */
  override async initHostWithRpc(): Promise<void> {
    await this.publish()
  }

  override isServiceReady(): boolean {
    return this.driver?.initialized ?? false
  }

  override async cleanupHost(): Promise<void> {
    await this.driver?.close()
  }

  /** Periodic task: read the driver's stats and publish them as capabilities. */
  async reportDriverStatus(): Promise<void> {
    await this.publish()
  }

  /**
   * RPC (a scheduler fans it out when it starts): read the driver's stats and fan them out to the
   * schedulers, as Manila's publish_service_capabilities reports before it publishes.
   *
   * Unlike the inherited method, the report is stamped with the time the stats were read rather
   * than sent: a scheduler ignores reports older than its last placement on this backend, and
   * only a report read after that placement is sure to count it (see updateStats).
   */
  override async publishServiceCapabilities(ctx: RequestContext = createContext(this.host)): Promise<void> {
    if (this.driver?.initialized === true) await this.updateStats()
    if (this.lastCapabilities === undefined) return
    await this.context.rpc.prepare({topic: SCHEDULER_TOPIC, fanout: true}).cast(ctx, 'updateServiceCapabilities', {
      serviceName: this.serviceName,
      host: this.host,
      capabilities: this.lastCapabilities,
      timestamp: this.statsReadAt,
    })
  }

  /** RPC (cast by the scheduler): create the share the scheduler placed here, `creating → available | error`. */
  async createShare(_ctx: RequestContext, args: ShareArgs): Promise<ShareRecord> {
    return this.withShare(args, async (share, spec) => {
      if (share.status !== 'creating') throw invalidState(share, 'create', ['creating'])
      try {
        const exportLocation = await this.requireDriver().createShare(spec)
        const available = await this.setStatus(share.id, 'available', {exportLocation, statusReason: null})
        this.log.info(`share ${share.id} available`, {size: share.size, exportLocation})
        return available
      } catch (error) {
        const failed = await this.setStatus(share.id, 'error', {statusReason: messageOf(error)})
        this.log.warn(`share ${share.id} failed to create: ${messageOf(error)}`)
        return failed
      } finally {
        await this.reportChange()
      }
    })
  }

  /**
   * RPC: delete a share and its data, `deleting → deleted` (`error_deleting` if the driver fails).
   * A share no backend could take (`error`, no host) has no data: any share service deletes its record.
   */
  async deleteShare(_ctx: RequestContext, args: ShareArgs): Promise<ShareRecord> {
    return this.withShare(args, async (share, spec) => {
      if (share.status !== 'available' && share.status !== 'error' && share.status !== 'error_deleting') throw invalidState(share, 'delete', ['available', 'error', 'error_deleting'])
      if (share.host === null) return this.setStatus(share.id, 'deleted', {statusReason: null})
      await this.setStatus(share.id, 'deleting')
      // The capacity is reported once the record says what happened: the records are the allocation.
      try {
        await this.requireDriver().deleteShare(spec)
        const deleted = await this.setStatus(share.id, 'deleted', {statusReason: null, exportLocation: null})
        this.log.info(`share ${share.id} deleted`)
        return deleted
      } catch (error) {
        await this.setStatus(share.id, 'error_deleting', {statusReason: messageOf(error)})
        throw error
      } finally {
        await this.reportChange()
      }
    }, {unplaced: true})
  }

  /** RPC: grow a share to `newSize` GiB. A failure leaves it as it was and says why. */
  async extendShare(_ctx: RequestContext, args: ShareArgs): Promise<ShareRecord> {
    return this.resize(args, 'extend', (spec, newSize) => this.requireDriver().extendShare(spec, newSize))
  }

  /** RPC: shrink a share to `newSize` GiB; refused when its data would not fit. */
  async shrinkShare(_ctx: RequestContext, args: ShareArgs): Promise<ShareRecord> {
    return this.resize(args, 'shrink', (spec, newSize) => this.requireDriver().shrinkShare(spec, newSize))
  }

  /** RPC: the shares on this backend that are not deleted. */
  async listShares(_ctx: RequestContext): Promise<ShareRecord[]> {
    return (await this.shares()).filter((share) => share.status !== 'deleted')
  }

  // ---- the rest is private ----

  /** Extend or shrink: `available → extending | shrinking → available`, at the new size or, on failure, the old one. */
  private async resize(args: ShareArgs, action: 'extend' | 'shrink', change: (spec: ShareSpec, newSize: number) => Promise<void>): Promise<ShareRecord> {
    const newSize = checkSize(args.newSize, 'newSize')
    return this.withShare(args, async (share, spec) => {
      if (share.status !== 'available') throw invalidState(share, action, ['available'])
      if (action === 'extend' ? newSize <= share.size : newSize >= share.size) {
        throw new ShareError('SHARE_INVALID_SIZE', `To ${action} share ${share.id} give a size ${action === 'extend' ? 'above' : 'below'} its ${share.size} GiB; found ${newSize}.`, {size: share.size, newSize})
      }
      await this.setStatus(share.id, action === 'extend' ? 'extending' : 'shrinking')
      try {
        await change(spec, newSize)
        const resized = await this.setStatus(share.id, 'available', {size: newSize, statusReason: null})
        this.log.info(`share ${share.id} ${action === 'extend' ? 'extended' : 'shrunk'} to ${newSize} GiB`)
        return resized
      } catch (error) {
        await this.setStatus(share.id, 'available', {statusReason: `${action} to ${newSize} GiB failed: ${messageOf(error)}`})
        throw error
      } finally {
        await this.reportChange()
      }
    })
  }

  /**
   * Run fn on the share named by `args.shareId`, holding the share's lock so two changes of one
   * share never interleave. The share must live on this backend (or, with `unplaced`, on none).
   */
  private async withShare<T>(args: ShareArgs, fn: (share: ShareRecord, spec: ShareSpec) => Promise<T>, {unplaced = false}: {unplaced?: boolean} = {}): Promise<T> {
    if (typeof args.shareId !== 'string' || args.shareId === '') throw new ShareError('SHARE_NOT_FOUND', 'Name the share: {"shareId": "<id>"}.')
    const id = args.shareId
    return this.synchronized(`share-${id}`, async () => {
      const share = (await this.collection().get(id)) as ShareRecord | undefined
      if (share === undefined || share.status === 'deleted') throw new ShareError('SHARE_NOT_FOUND', `No share ${id}.`, {shareId: id})
      if (serverOf(share.host) !== this.host && !(unplaced && share.host === null)) {
        throw new ShareError('SHARE_WRONG_HOST', `Share ${id} lives on ${share.host ?? 'no host yet'}, not ${this.host}: call that server.`, {shareId: id, host: share.host})
      }
      return fn(share, specOf(share))
    })
  }

  /**
   * Start (and each reload): bring every share of this backend back (Manila's ensure_shares) and
   * finish what a crash interrupted. Each share is handled under its lock, which the host holds
   * across generations, so a reload never ensures a share the serving generation is changing.
   */
  private async ensureShares(): Promise<void> {
    const driver = this.requireDriver()
    let ensured = 0
    // Only shares with something to serve or finish: a store keeps every deleted share's record.
    const pending = (await this.shares()).filter((share) => !FINISHED.has(share.status))
    for (const {id} of pending) {
      await this.synchronized(`share-${id}`, async () => {
        const share = (await this.collection().get(id)) as ShareRecord | undefined
        if (share === undefined) return
        try {
          switch (share.status) {
            case 'creating':
              // The scheduler's cast arrived just before a crash: create it now.
              await this.setStatus(id, 'available', {exportLocation: await driver.createShare(specOf(share)), statusReason: null})
              break
            case 'deleting':
              await driver.deleteShare(specOf(share))
              await this.setStatus(id, 'deleted', {exportLocation: null})
              break
            case 'available':
            case 'extending':
            case 'shrinking':
              // A resize a crash interrupted keeps the size recorded: the one the driver last confirmed.
              await this.setStatus(id, 'available', {exportLocation: await driver.ensureShare(specOf(share))})
              break
            default:
              return // error, error_deleting, deleted: nothing to serve
          }
          ensured += 1
        } catch (error) {
          this.log.warn(`share ${id} could not be ensured: ${messageOf(error)}`)
          await this.setStatus(id, 'error', {statusReason: `ensure failed: ${messageOf(error)}`})
        }
      })
    }
    this.log.info(`ensured ${ensured} shares`, {backend: this.backendName})
  }

  /**
   * Read the backend's capacity into the capabilities the next publish sends.
   *
   * The share records are the allocation: every share placed on a pool counts from the moment
   * the scheduler names its host (before it casts createShare) until it is deleted or failed. They
   * are read first, in one read of the store, and the report is stamped with that moment, so it
   * counts every placement made before it; the scheduler ignores reports older than its last
   * placement. Free space is the smaller of the driver's and what the records leave: the driver
   * does not know a share before its create runs, and the records do not know the filesystem.
   */
  private async updateStats(): Promise<void> {
    const readAt = new Date().toISOString()
    const allocated = new Map<string, number>()
    for (const share of await this.shares()) {
      if (share.status === 'error' || share.status === 'deleted') continue
      const {pool} = specOf(share)
      allocated.set(pool, (allocated.get(pool) ?? 0) + share.size)
    }
    const stats = await this.requireDriver().getShareStats()
    const pools = stats.pools.map((pool) => {
      const placed = allocated.get(pool.name) ?? 0
      return {...pool, allocatedCapacityGb: placed, freeCapacityGb: Math.max(0, Math.min(pool.freeCapacityGb, pool.totalCapacityGb - placed))}
    })
    const capabilities: ShareCapabilities = {backendName: this.backendName, driver: stats.driver, pools}
    this.statsReadAt = readAt
    this.updateServiceCapabilities(capabilities)
  }

  /** After a change of capacity: report and publish now, so the schedulers weigh what is true. */
  private async reportChange(): Promise<void> {
    try {
      await this.publish()
    } catch (error) {
      this.log.warn(`could not report the driver's stats: ${messageOf(error)}`)
    }
  }

  /** Publish the capabilities; with no scheduler running there is no one to tell, which is fine. */
  private async publish(): Promise<void> {
    try {
      await this.publishServiceCapabilities(createContext(this.host))
    } catch (error) {
      if ((error as {code?: unknown}).code !== 'NO_SERVICE_AVAILABLE') throw error
      this.log.debug('no scheduler runs: capabilities not published')
    }
  }

  private async setStatus(id: string, status: ShareStatus, patch: Partial<ShareRecord> = {}): Promise<ShareRecord> {
    const updated = await this.collection().update(id, {...patch, status, updatedAt: new Date().toISOString()})
    if (updated === undefined) throw new ShareError('SHARE_NOT_FOUND', `Share ${id} vanished from the store.`, {shareId: id})
    return updated as ShareRecord
  }

  /** The shares placed on this backend (any pool). */
  private async shares(): Promise<ShareRecord[]> {
    const all = (await this.collection().list()) as ShareRecord[]
    return all.filter((share) => serverOf(share.host) === this.host)
  }

  private collection() {
    return this.context.collection(SHARES_COLLECTION)
  }

  private requireDriver(): ShareDriver {
    if (this.driver === undefined) throw new Error('the share driver is not loaded')
    return this.driver
  }
}

/** Statuses a start has nothing to do for: no data to serve, no change to finish. */
const FINISHED: ReadonlySet<ShareStatus> = new Set(['deleted', 'error', 'error_deleting'])

function specOf(share: ShareRecord): ShareSpec {
  const hash = share.host?.indexOf('#') ?? -1
  return {id: share.id, size: share.size, pool: hash === -1 ? '' : share.host!.slice(hash + 1)}
}

function invalidState(share: ShareRecord, action: string, allowed: readonly ShareStatus[]): ShareError {
  return new ShareError('SHARE_INVALID_STATE', `Cannot ${action} share ${share.id}: it is ${share.status}, and must be ${allowed.join(' or ')}.`, {shareId: share.id, status: share.status})
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
