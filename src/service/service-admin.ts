import {StewardError} from '../errors/index.js'
import type {ServiceRecord, StateStore} from '../store/types.js'

export const MAX_REASON_LENGTH = 255

/** The record of (host, binary), or SERVICE_NOT_FOUND. */
export async function findService(store: StateStore, host: string, binary: string): Promise<ServiceRecord> {
  const [record] = await store.listServices({host, binary})
  if (record === undefined) {
    throw new StewardError('SERVICE_NOT_FOUND', `No service ${binary} on host ${host} in ${store.location}.`, {
      data: {host, binary},
      suggestions: ['Run `steward services list` to see the recorded services.'],
    })
  }
  return record
}

/** Enable a service; clears the disabled reason. */
export async function enableService(store: StateStore, host: string, binary: string): Promise<ServiceRecord> {
  const record = await findService(store, host, binary)
  return updated(await store.updateService(record.id, {disabled: false, disabledReason: null}), host, binary, store)
}

/** Disable a service, with an optional reason of 1–255 characters (stripped). */
export async function disableService(store: StateStore, host: string, binary: string, reason?: string): Promise<ServiceRecord> {
  const stripped = reason?.trim()
  if (stripped !== undefined && (stripped.length === 0 || stripped.length > MAX_REASON_LENGTH)) {
    throw new StewardError('SERVICE_REASON_INVALID', `A disable reason must be 1 to ${MAX_REASON_LENGTH} characters; this one has ${stripped.length}.`, {
      data: {length: stripped.length},
    })
  }
  const record = await findService(store, host, binary)
  return updated(await store.updateService(record.id, {disabled: true, disabledReason: stripped ?? null}), host, binary, store)
}

/** Delete the record of (host, binary). */
export async function removeService(store: StateStore, host: string, binary: string): Promise<ServiceRecord> {
  const record = await findService(store, host, binary)
  await store.removeServices([record.id])
  return record
}

function updated(record: ServiceRecord | undefined, host: string, binary: string, store: StateStore): ServiceRecord {
  if (record !== undefined) return record
  throw new StewardError('SERVICE_NOT_FOUND', `Service ${binary} on host ${host} vanished from ${store.location} while it was being changed.`, {data: {host, binary}})
}
