import {ShareDriver, type ShareBackendStats, type ShareSpec} from '../share-driver.js'
import {ShareError} from '../share-types.js'

/**
 * Shares that exist only in memory: for tests and benchmarks of everything but the disk. Its one
 * pool holds `capacity_gb` (default 100) GiB; a share's export location is `memory://<backend>/<id>`.
 * A restart forgets the shares; `ensureShare` brings them back.
 */
export class MemoryShareDriver extends ShareDriver {
  private readonly shares = new Map<string, number>()
  private capacityGb = 100

  override async doSetup(): Promise<void> {
    const capacity = this.config.capacity_gb ?? 100
    if (typeof capacity !== 'number' || !(capacity >= 0)) throw new Error(`capacity_gb must be a number ≥ 0, found ${JSON.stringify(capacity)}`)
    this.capacityGb = capacity
    this.initialized = true
  }

  async createShare(share: ShareSpec): Promise<string> {
    this.reserve(share.id, share.size)
    this.shares.set(share.id, share.size)
    return this.location(share)
  }

  async deleteShare(share: ShareSpec): Promise<void> {
    this.shares.delete(share.id)
  }

  async extendShare(share: ShareSpec, newSize: number): Promise<void> {
    this.reserve(share.id, newSize)
    this.shares.set(share.id, newSize)
  }

  async shrinkShare(share: ShareSpec, newSize: number): Promise<void> {
    this.shares.set(share.id, newSize)
  }

  async ensureShare(share: ShareSpec): Promise<string> {
    this.shares.set(share.id, share.size)
    return this.location(share)
  }

  async getShareStats(): Promise<ShareBackendStats> {
    const allocated = this.allocated()
    return {
      driver: 'share-memory',
      pools: [{name: 'memory', totalCapacityGb: this.capacityGb, freeCapacityGb: Math.max(0, this.capacityGb - allocated), allocatedCapacityGb: allocated, reservedPercentage: 0}],
    }
  }

  private allocated(except?: string): number {
    let sum = 0
    for (const [id, size] of this.shares) if (id !== except) sum += size
    return sum
  }

  /** Fail unless `size` GiB for this share fit beside the others. */
  private reserve(id: string, size: number): void {
    const free = this.capacityGb - this.allocated(id)
    if (size > free) throw new ShareError('SHARE_CAPACITY_EXCEEDED', `The memory backend has ${free} GiB free for this share; ${size} GiB asked.`, {free, size})
  }

  private location(share: ShareSpec): string {
    return `memory://${share.pool}/${share.id}`
  }
}
