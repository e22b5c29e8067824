import {mkdir, readdir, readFile, rm, statfs, writeFile, lstat, rename} from 'node:fs/promises'
import path from 'node:path'
import {GIB, ShareDriver, type ShareBackendStats, type ShareSpec} from '../share-driver.js'
import {ShareError} from '../share-types.js'

/** Share ids become directory names: nothing that could leave the root. */
const SHARE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/
/** Where the size of each share is recorded, beside the shares (a dot-folder, so never an id). */
const QUOTAS = '.quotas'

/**
 * A share is a directory under the backend's `root`; its export location is that path.
 *
 * Options (the backend's section): `root` (required; created if missing; `{host}` in it is the
 * backend's service host, and a relative one is under the state directory) and `capacity_gb`
 * (optional: the most this backend gives out, for a root on a filesystem it shares with others).
 * Capacity and free space come from the filesystem (`statfs`), capped by `capacity_gb`; the size
 * of each share is recorded in `<root>/.quotas/<id>.json` and counted against the capacity. The
 * sizes are not enforced on the data written (that needs filesystem quotas); shrinking below
 * the data a share holds is refused.
 */
export class LocalfsShareDriver extends ShareDriver {
  private root = ''
  private capacityGb: number | undefined
  /** Sizes by share id: the quota records, read once at setup and then kept in step. */
  private readonly sizes = new Map<string, number>()

  override async doSetup(): Promise<void> {
    const {root: given, capacity_gb: capacity} = this.config
    if (typeof given !== 'string' || given === '') {
      throw new Error(`share-localfs needs "root", the directory for the shares; found ${JSON.stringify(given)}`)
    }
    if (capacity !== undefined && (typeof capacity !== 'number' || !(capacity >= 0))) throw new Error(`capacity_gb must be a number ≥ 0, found ${JSON.stringify(capacity)}`)
    // `{host}` is the backend's service host (`node1@fast`): one root setting serves every host and
    // backend. A relative root is under the state directory, beside the records of its shares.
    const root = path.resolve(this.stateDir, given.replaceAll('{host}', this.host))
    this.root = root
    this.capacityGb = capacity
    await mkdir(path.join(root, QUOTAS), {recursive: true})
    for (const file of await readdir(path.join(root, QUOTAS))) {
      if (!file.endsWith('.json')) continue
      const record = JSON.parse(await readFile(path.join(root, QUOTAS, file), 'utf8')) as {id: string; size: number}
      this.sizes.set(record.id, record.size)
    }
    this.log.info(`share-localfs serves ${root}`, {shares: this.sizes.size, capacityGb: capacity ?? null})
    this.initialized = true
  }

  async createShare(share: ShareSpec): Promise<string> {
    const dir = this.directory(share.id)
    // The size is reserved before the first await, so two creates at once cannot both take the last GiB.
    await this.reserve(share.id, share.size)
    try {
      await mkdir(dir, {recursive: true})
      await this.writeQuota(share.id, share.size)
    } catch (error) {
      this.sizes.delete(share.id)
      throw error
    }
    return dir
  }

  async deleteShare(share: ShareSpec): Promise<void> {
    await rm(this.directory(share.id), {recursive: true, force: true})
    await rm(this.quotaFile(share.id), {force: true})
    this.sizes.delete(share.id)
  }

  async extendShare(share: ShareSpec, newSize: number): Promise<void> {
    const before = this.sizes.get(share.id)
    await this.reserve(share.id, newSize)
    try {
      await this.writeQuota(share.id, newSize)
    } catch (error) {
      if (before !== undefined) this.sizes.set(share.id, before)
      throw error
    }
  }

  async shrinkShare(share: ShareSpec, newSize: number): Promise<void> {
    const used = await usedBytes(this.directory(share.id))
    if (used > newSize * GIB) {
      throw new ShareError('SHARE_SHRINK_DATA_LOSS', `Share ${share.id} holds ${used} bytes, more than ${newSize} GiB; it keeps its size.`, {usedBytes: used, newSize})
    }
    await this.writeQuota(share.id, newSize)
    this.sizes.set(share.id, newSize)
  }

  async ensureShare(share: ShareSpec): Promise<string> {
    const dir = this.directory(share.id)
    await mkdir(dir, {recursive: true})
    if (this.sizes.get(share.id) !== share.size) {
      await this.writeQuota(share.id, share.size)
      this.sizes.set(share.id, share.size)
    }
    return dir
  }

  async getShareStats(): Promise<ShareBackendStats> {
    const fs = await statfs(this.root)
    const fsTotal = Math.floor((fs.blocks * fs.bsize) / GIB)
    const fsFree = Math.floor((fs.bavail * fs.bsize) / GIB)
    const allocated = this.allocated()
    const total = this.capacityGb === undefined ? fsTotal : Math.min(this.capacityGb, fsTotal)
    const free = this.capacityGb === undefined ? fsFree : Math.max(0, Math.min(fsFree, this.capacityGb - allocated))
    return {driver: 'share-localfs', pools: [{name: 'localfs', totalCapacityGb: total, freeCapacityGb: free, allocatedCapacityGb: allocated, reservedPercentage: 0}]}
  }

  private directory(id: string): string {
    if (!SHARE_ID.test(id)) throw new ShareError('SHARE_NOT_FOUND', `"${id}" is not a share id.`, {id})
    return path.join(this.root, id)
  }

  private quotaFile(id: string): string {
    return path.join(this.root, QUOTAS, `${id}.json`)
  }

  /** Written to a temporary file and renamed, so a crash never leaves half a record. */
  private async writeQuota(id: string, size: number): Promise<void> {
    const file = this.quotaFile(id)
    await writeFile(`${file}.tmp`, JSON.stringify({id, size}))
    await rename(`${file}.tmp`, file)
  }

  private allocated(except?: string): number {
    let sum = 0
    for (const [id, size] of this.sizes) if (id !== except) sum += size
    return sum
  }

  /** Take `size` GiB for this share (replacing what it had) or fail, saying how much is free. */
  private async reserve(id: string, size: number): Promise<void> {
    const others = this.allocated(id)
    const previous = this.sizes.get(id)
    this.sizes.set(id, size)
    const fs = await statfs(this.root)
    const fsFree = Math.floor((fs.bavail * fs.bsize) / GIB)
    const free = this.capacityGb === undefined ? fsFree : Math.min(fsFree, this.capacityGb - others)
    if (size > free) {
      if (previous === undefined) this.sizes.delete(id)
      else this.sizes.set(id, previous)
      throw new ShareError('SHARE_CAPACITY_EXCEEDED', `Backend ${this.root} has ${Math.max(0, free)} GiB free for this share; ${size} GiB asked.`, {free: Math.max(0, free), size})
    }
  }
}

/** The bytes of the files under a directory (not following links). */
async function usedBytes(dir: string): Promise<number> {
  let total = 0
  let entries
  try {
    entries = await readdir(dir, {withFileTypes: true})
  } catch {
    return 0
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) total += await usedBytes(full)
    else total += (await lstat(full)).size
  }
  return total
}
