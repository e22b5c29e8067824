export {LockManager, DEFAULT_LOCK_PREFIX, type LockManagerOptions, type LockOptions} from './lock-manager.js'
