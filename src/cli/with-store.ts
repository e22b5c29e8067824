import type {StewardConfig} from '../config/load-config.js'
import {openStore} from '../store/index.js'
import type {StateStore} from '../store/types.js'

/**
 * Open the existing store of the configuration (STORE_NOT_FOUND when no host has created it),
 * run fn, and close it again. Reads take no lock; changes take the store's cross-process lock.
 */
export async function withStore<T>(config: StewardConfig, fn: (store: StateStore) => Promise<T>): Promise<T> {
  const store = await openStore({stateDir: config.options.state_dir, lockTimeoutMs: config.options.store_lock_timeout * 1000})
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}
