/**
 * The data of the share service: share records (kept in the plugin's `shares` collection) and
 * the capabilities a backend reports to the schedulers. Sizes are whole GiB, as in Manila.
 */

/** The plugin whose store collection holds the shares; the scheduler writes there too. */
export const SHARE_PLUGIN = 'steward-plugin-share'
/** The collection of share records. */
export const SHARES_COLLECTION = 'shares'

/**
 * A share's life: `creating → available | error`, `available → extending | shrinking → available`,
 * `available | error → deleting → deleted`. A failed resize returns to `available` (nothing
 * changed) and says why in `statusReason`.
 */
export type ShareStatus = 'creating' | 'available' | 'error' | 'extending' | 'shrinking' | 'deleting' | 'deleted' | 'error_deleting'

/** One share, as stored (`plugins.steward-plugin-share.shares` of the state file). */
export interface ShareRecord {
  [key: string]: unknown
  id: string
  name: string | null
  /** GiB. */
  size: number
  status: ShareStatus
  /** Why it is in `error` (or why the last change failed); null otherwise. */
  statusReason: string | null
  /** The availability zone asked for, or the one of the backend it landed on. */
  availabilityZone: string | null
  /** Where it lives: `host@backend#pool`, once the scheduler has chosen. */
  host: string | null
  /** How to reach it: the directory for `share-localfs`. */
  exportLocation: string | null
  createdAt: string
  updatedAt: string
}

/** One pool of a backend, as the scheduler weighs it. */
export interface PoolCapabilities {
  name: string
  totalCapacityGb: number
  freeCapacityGb: number
  /** The sum of the sizes of the shares in the pool. */
  allocatedCapacityGb: number
  /** Percent of the total kept free: the capacity filter does not place shares in it. */
  reservedPercentage: number
}

/** What a share backend reports to the schedulers (Manila's share stats). */
export interface ShareCapabilities {
  [key: string]: unknown
  backendName: string
  driver: string
  pools: PoolCapabilities[]
}

/** The share plugin's error codes, and the HTTP status each answers with (docs/share.md). */
export const shareErrorStatus = {
  SHARE_REQUEST_INVALID: 400,
  SHARE_INVALID_SIZE: 400,
  SHARE_INVALID_ZONE: 400,
  SHARE_CAPACITY_EXCEEDED: 400,
  SHARE_NOT_FOUND: 404,
  SHARE_INVALID_STATE: 409,
  SHARE_WRONG_HOST: 409,
  SHARE_SHRINK_DATA_LOSS: 409,
} as const

export type ShareErrorCode = keyof typeof shareErrorStatus

/** A share error that travels to the caller with its code. */
export class ShareError extends Error {
  constructor(
    readonly code: ShareErrorCode,
    message: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'ShareError'
  }
}

/** A size in GiB must be a positive whole number. */
export function checkSize(size: unknown, what = 'size'): number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
    throw new ShareError('SHARE_INVALID_SIZE', `${what} must be a whole number of GiB, at least 1; found ${JSON.stringify(size)}.`, {[what]: size})
  }
  return size
}

/** The service host of a share's `host@backend#pool`: where its RPC goes. */
export function serverOf(host: string | null): string | undefined {
  if (host === null) return undefined
  const hash = host.indexOf('#')
  return hash === -1 ? host : host.slice(0, hash)
}
