export type {
  BackendStats,
  DocumentBackend,
  NewServiceRecord,
  PluginCollection,
  PluginItem,
  ServiceFilter,
  ServiceRecord,
  ServiceRecordPatch,
  StateData,
  StateStore,
} from './types.js'
export {DocumentStore, type DocumentStoreOptions} from './document-store.js'
export {LowdbBackend, type LowdbBackendOptions, type StoreWarningSink} from './lowdb-backend.js'
export {MemoryBackend} from './memory-backend.js'
export {openMemoryStore, openStore, MIN_LOCK_STALE_MS, STATE_FILE_NAME, type OpenStoreOptions} from './open-store.js'
export {emptyState, STATE_FORMAT_VERSION} from './state-document.js'
