import type {PluginCollection, RequestContext, RpcClient} from 'steward'
import {checkSize, serverOf, SHARES_COLLECTION, ShareError, type ShareRecord} from './share-types.js'

/** The scheduler's topic and the RPC versions these requests need. */
const SCHEDULER_TOPIC = 'scheduler'
const SCHEDULER_RPC_VERSION = '1.0'
const SHARE_TOPIC = 'share'
const SHARE_RPC_VERSION = '1.0'

/** The longest share name taken, as Manila's. */
const NAME_MAX_LENGTH = 255

/**
 * What the shares requests reach the system through: the API's request context, or what a CLI
 * command builds from the state store and an RPC client.
 */
export interface SharesClient {
  readonly rpc: RpcClient
  readonly requestContext: RequestContext
  /** One of the share plugin's collections. */
  collection(name: string): PluginCollection
}

/** A pool as the scheduler counts it (its `getPools`). */
export interface PoolView {
  name: string
  host: string
  backend: string
  pool: string
  zone: string
  capabilities: {totalCapacityGb: number; freeCapacityGb: number; allocatedCapacityGb: number; reservedPercentage: number}
}

/**
 * Ask for a new share: `{size, name?, availability_zone?}`. Answers its record as the scheduler
 * left it: `creating` on the backend it chose (`available` once made), or `error` with the reason
 * no backend fits now.
 */
export async function createShare(client: SharesClient, body: unknown): Promise<ShareRecord> {
  const {size, name, availability_zone: availabilityZone, ...unknown} = requestObject(body, 'a share: {"size": 1, "name": "docs", "availability_zone": "nova"}')
  const extra = Object.keys(unknown)
  if (extra.length > 0) throw new ShareError('SHARE_REQUEST_INVALID', `Unknown field ${extra.map((key) => JSON.stringify(key)).join(', ')}: a share takes size, name and availability_zone.`, {fields: extra})
  checkSize(size)
  if (name !== undefined && name !== null && (typeof name !== 'string' || name.length > NAME_MAX_LENGTH)) {
    throw new ShareError('SHARE_REQUEST_INVALID', `name must be a string of at most ${NAME_MAX_LENGTH} characters; found ${describe(name)}.`, {name})
  }
  if (availabilityZone !== undefined && availabilityZone !== null && (typeof availabilityZone !== 'string' || availabilityZone === '')) {
    throw new ShareError('SHARE_INVALID_ZONE', `availability_zone must be a zone name; found ${describe(availabilityZone)}.`, {availabilityZone})
  }
  const scheduler = client.rpc.prepare({topic: SCHEDULER_TOPIC, version: SCHEDULER_RPC_VERSION})
  return (await scheduler.call(client.requestContext, 'createShare', {size, name: name ?? null, availabilityZone: availabilityZone ?? null})) as ShareRecord
}

/** The shares that are not deleted, oldest first. */
export async function listShares(client: SharesClient): Promise<ShareRecord[]> {
  const shares = (await client.collection(SHARES_COLLECTION).list()) as ShareRecord[]
  return shares.filter((share) => share.status !== 'deleted').sort((a, b) => a.createdAt.localeCompare(b.createdAt))
}

/** One share; SHARE_NOT_FOUND when there is none (or it is deleted). */
export async function getShare(client: SharesClient, id: string): Promise<ShareRecord> {
  const share = (await client.collection(SHARES_COLLECTION).get(id)) as ShareRecord | undefined
  if (share === undefined || share.status === 'deleted') throw new ShareError('SHARE_NOT_FOUND', `No share ${id}.`, {shareId: id})
  return share
}

/**
 * Delete a share and its data, on the backend holding it. A share no backend took (`error`, no
 * host) has no data: its record is marked deleted here, so it goes even with no share service up.
 */
export async function deleteShare(client: SharesClient, id: string): Promise<ShareRecord> {
  const share = await getShare(client, id)
  const server = serverOf(share.host)
  if (server === undefined) {
    if (share.status !== 'error') throw new ShareError('SHARE_INVALID_STATE', `Cannot delete share ${id}: it is ${share.status} and not placed yet; wait until it is placed or in error.`, {shareId: id, status: share.status})
    const deleted = await client.collection(SHARES_COLLECTION).update(id, {status: 'deleted', statusReason: null, updatedAt: new Date().toISOString()})
    if (deleted === undefined) throw new ShareError('SHARE_NOT_FOUND', `No share ${id}.`, {shareId: id})
    return deleted as ShareRecord
  }
  return (await shareService(client, server).call(client.requestContext, 'deleteShare', {shareId: id})) as ShareRecord
}

/**
 * Remove the records of the shares deleted before `before` (epoch milliseconds), as Manila's
 * `manila-manage db purge` does: a deleted share keeps its record (`deleted`, its last update the
 * deletion) until purged, and every commit of the state store rewrites them all. With `dryRun`,
 * only say which. Resolves to the records removed (or that would be), oldest deletion first.
 */
export async function purgeDeletedShares(client: SharesClient, before: number, dryRun = false): Promise<ShareRecord[]> {
  const collection = client.collection(SHARES_COLLECTION)
  const shares = (await collection.list()) as ShareRecord[]
  const purged = shares.filter((share) => share.status === 'deleted' && Date.parse(share.updatedAt) < before).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
  // Deleted is final, so nothing can revive a record between the list and its removal. The
  // removals go together: the store commits them in a few batches rather than one by one.
  if (!dryRun) await Promise.all(purged.map((share) => collection.remove(share.id)))
  return purged
}

/** Grow or shrink a share to `newSize` GiB, on the backend holding it. */
export async function resizeShare(client: SharesClient, id: string, action: 'extend' | 'shrink', newSize: unknown): Promise<ShareRecord> {
  checkSize(newSize, 'new_size')
  const share = await getShare(client, id)
  const server = serverOf(share.host)
  if (server === undefined) throw new ShareError('SHARE_INVALID_STATE', `Cannot ${action} share ${id}: it is ${share.status} and on no backend.`, {shareId: id, status: share.status})
  return (await shareService(client, server).call(client.requestContext, `${action}Share`, {shareId: id, newSize})) as ShareRecord
}

/**
 * What `POST /v2/shares/{id}/action` asks, as Manila's share actions:
 * `{"extend": {"new_size": 5}}` or `{"shrink": {"new_size": 2}}`.
 */
export function shareAction(body: unknown): {action: 'extend' | 'shrink'; newSize: unknown} {
  const fields = requestObject(body, 'an action: {"extend": {"new_size": 5}} or {"shrink": {"new_size": 2}}')
  const actions = Object.keys(fields)
  const action = actions[0]
  if (actions.length !== 1 || (action !== 'extend' && action !== 'shrink')) {
    throw new ShareError('SHARE_REQUEST_INVALID', `Give one action, extend or shrink: {"extend": {"new_size": 5}}; found ${describe(actions)}.`, {actions})
  }
  const {new_size: newSize} = requestObject(fields[action], `the ${action} action: {"${action}": {"new_size": 5}}`)
  return {action, newSize}
}

/** The pools the scheduler would place a share on now, with the capacity it counts. */
export async function listPools(client: SharesClient): Promise<PoolView[]> {
  const scheduler = client.rpc.prepare({topic: SCHEDULER_TOPIC, version: SCHEDULER_RPC_VERSION})
  return (await scheduler.call(client.requestContext, 'getPools', {})) as PoolView[]
}

function shareService(client: SharesClient, server: string) {
  return client.rpc.prepare({topic: SHARE_TOPIC, server, version: SHARE_RPC_VERSION})
}

function requestObject(value: unknown, expected: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ShareError('SHARE_REQUEST_INVALID', `Send ${expected}; found ${describe(value)}.`)
  return value as Record<string, unknown>
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value)
}
