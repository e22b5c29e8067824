import {join} from 'node:path'
import {DocumentStore} from './document-store.js'
import {LowdbBackend, type StoreWarningSink} from './lowdb-backend.js'
import {MemoryBackend} from './memory-backend.js'
import type {StateData} from './types.js'

/** The state file's name inside the state directory. */
export const STATE_FILE_NAME = 'steward.json'

/** proper-lockfile does not accept a shorter stale time (it refreshes the lock every stale / 2). */
export const MIN_LOCK_STALE_MS = 2000

export interface OpenStoreOptions {
  /** The state directory; created with mode 0700 when the store first writes. */
  stateDir: string
  /**
   * Create the state file now if it is missing (the host side). Without it, reading a missing
   * file is STORE_NOT_FOUND, which tells a CLI user that no host has run with this directory;
   * the first write still creates it.
   * @default false
   */
  create?: boolean
  /**
   * A lock whose holder has not refreshed it for this long is taken over (a holder on this host
   * that no longer exists is taken over at once). At least 2000.
   * @default 10000
   */
  lockStaleMs?: number
  /**
   * How long a write waits for the lock before STORE_LOCK_TIMEOUT. The default outlasts a stale
   * lock, so one left by a crash on another host is recovered rather than reported.
   * @default lockStaleMs + 5000
   */
  lockTimeoutMs?: number
  /**
   * Where warnings go (a lock lost while held, a failed unlock). They never throw.
   * @default process.emitWarning
   */
  onWarning?: StoreWarningSink
}

/**
 * Open the lowdb-backed state store `<stateDir>/steward.json`.
 * @example
 * const store = await openStore({stateDir, create: true})
 * const {record} = await store.findOrCreateService({host, binary: 'steward-share', topic: 'share', zone: 'nova', disabled: false})
 */
export async function openStore(options: OpenStoreOptions): Promise<DocumentStore> {
  const lockStaleMs = options.lockStaleMs ?? 10_000
  if (!Number.isFinite(lockStaleMs) || lockStaleMs < MIN_LOCK_STALE_MS) {
    throw new RangeError(`lockStaleMs must be at least ${MIN_LOCK_STALE_MS} (got ${lockStaleMs})`)
  }
  const lockTimeoutMs = options.lockTimeoutMs ?? lockStaleMs + 5000
  if (!(lockTimeoutMs >= 0)) {
    throw new RangeError(`lockTimeoutMs must be a number of milliseconds (got ${lockTimeoutMs})`)
  }
  const backend = new LowdbBackend({
    file: join(options.stateDir, STATE_FILE_NAME),
    lockStaleMs,
    lockTimeoutMs,
    onWarning:
      options.onWarning ??
      ((message, fields) => process.emitWarning(message, {code: 'STEWARD_STORE', detail: JSON.stringify(fields)})),
  })
  // An empty mutation writes only when the file is missing (the backend skips unchanged writes).
  if (options.create === true) await backend.mutate(() => undefined)
  return new DocumentStore(backend)
}

/** A store that lives in memory: for unit tests and for code that must not touch the disk. */
export function openMemoryStore(initial?: StateData): DocumentStore {
  return new DocumentStore(new MemoryBackend(initial))
}
