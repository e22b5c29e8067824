import {Driver} from 'steward'
import type {PoolCapabilities} from './share-types.js'

/** What a driver is told about a share: its id, size in GiB and the pool the scheduler chose. */
export interface ShareSpec {
  id: string
  size: number
  /** The pool of the backend (the part after `#` of the share's host). */
  pool: string
}

/** What a driver reports about the backend: its pools (most drivers have one). */
export interface ShareBackendStats {
  /** The driver's own name for itself, shown to operators. */
  driver: string
  pools: PoolCapabilities[]
}

/**
 * The share driver family (Manila's ShareDriver): what every share backend implements. A driver
 * that lacks one of these fails to load with DRIVER_MISSING_METHOD. Drivers keep to the backend:
 * the manager keeps the share records and their status.
 *
 * A driver is configured by its backend's section: `{"share": {"backends": {"fast":
 * {"driver": "share-localfs", "root": "/srv/shares"}}}}` gives `this.config.root`.
 */
export abstract class ShareDriver extends Driver {
  static override requiredMethods = ['createShare', 'deleteShare', 'extendShare', 'shrinkShare', 'ensureShare', 'getShareStats']

  /** Create the share; resolves to its export location. Throw when the backend cannot hold it. */
  abstract createShare(share: ShareSpec): Promise<string>

  /** Delete the share and its data. Deleting a share the backend does not have succeeds. */
  abstract deleteShare(share: ShareSpec): Promise<void>

  /** Grow the share to `newSize` GiB. */
  abstract extendShare(share: ShareSpec, newSize: number): Promise<void>

  /** Shrink the share to `newSize` GiB; throw (nothing changed) when its data would not fit. */
  abstract shrinkShare(share: ShareSpec, newSize: number): Promise<void>

  /**
   * Make sure an existing share is served after a restart (Manila's ensure_shares): recreate
   * what the backend lost, check what it kept. Resolves to its export location.
   */
  abstract ensureShare(share: ShareSpec): Promise<string>

  /** The backend's capacity now, per pool. */
  abstract getShareStats(): Promise<ShareBackendStats>
}

/** Whole GiB in bytes. */
export const GIB = 2 ** 30
