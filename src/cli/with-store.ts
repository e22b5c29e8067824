import type {StewardConfig} from '../config/load-config.js'
import {openReadOnlyStore, openStore} from '../store/index.js'
import type {StateStore} from '../store/types.js'

/** Open the existing store of the configuration, run fn, and close it again. */
export async function withStore<T>(config: StewardConfig, fn: (store: StateStore) => Promise<T>): Promise<T> {
  const store = await openStore({stateDir: config.options.state_dir, create: false, lockTimeoutMs: config.options.store_lock_timeout * 1000})
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

/** A store for commands that only read: no lock is taken. */
export function openStoreForReading(stateDir: string): Pick<StateStore, 'listServices'> {
  return openReadOnlyStore(stateDir)
}
