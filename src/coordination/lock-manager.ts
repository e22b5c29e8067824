import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import {describeError, isStewardError, StewardError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'
import {FileLock, type HeldLock} from '../store/file-lock.js'
import type {LockHolder} from '../store/store-errors.js'
import {AsyncMutex} from './async-mutex.js'
import {lockFileName} from './lock-name.js'

/** How {@link LockManager.synchronized} waits for a lock. */
export interface LockOptions {
  /**
   * Wait for the lock. When false, fail at once with LOCK_ACQUIRE_FAILED if it is held.
   * @default true
   */
  blocking?: boolean
  /**
   * Seconds to wait at most, in-process and file lock together; then LOCK_ACQUIRE_FAILED.
   * @default no limit
   */
  timeout?: number
}

export interface LockManagerOptions {
  /**
   * Directory of the cross-process lock files (the service uses `<stateDir>/locks` when it runs
   * with `coordination`). Without it, locks hold within this thread only.
   */
  lockDir?: string
  /** Prepended to every lock name. @default 'steward-' */
  prefix?: string
  /** Where lost and recovered file locks are reported. */
  logger?: Pick<Logger, 'warn' | 'error'>
  /**
   * A file lock not refreshed for this long is stale and may be taken over; the holder refreshes
   * it every staleMs / 2. At least 2000.
   * @default 10000
   */
  staleMs?: number
}

export const DEFAULT_LOCK_PREFIX = 'steward-'

/**
 * In-process mutexes by lock name, shared by every LockManager of this thread, as Manila's
 * semaphores are per process: two services of one host exclude each other even without files.
 */
const mutexes = new Map<string, AsyncMutex>()

/**
 * Named locks for `synchronized` (Manila's `utils.synchronized` and coordination locks): always an
 * in-process FIFO mutex per name and, with a lock directory, a file lock that other processes
 * using the same directory respect.
 */
export class LockManager {
  readonly lockDir: string | undefined
  readonly prefix: string
  private readonly logger: Pick<Logger, 'warn' | 'error'> | undefined
  private readonly staleMs: number
  private lockDirReady: Promise<unknown> | undefined

  constructor(options: LockManagerOptions = {}) {
    this.lockDir = options.lockDir
    this.prefix = options.prefix ?? DEFAULT_LOCK_PREFIX
    this.logger = options.logger
    this.staleMs = Math.max(options.staleMs ?? 10_000, 2_000)
  }

  /**
   * Run fn holding the lock `<prefix><name>`; the lock is released when fn settles, also when it
   * throws. Resolves or rejects with fn's outcome.
   *
   * @throws StewardError LOCK_ACQUIRE_FAILED when the lock is held and blocking is false, or is
   *   not free within the timeout (or its file cannot be created).
   */
  async synchronized<T>(name: string, fn: () => Promise<T> | T, options: LockOptions = {}): Promise<T> {
    if (typeof name !== 'string' || name === '') throw new TypeError('A lock name must be a non-empty string.')
    const {blocking = true, timeout} = options
    if (timeout !== undefined && !(timeout >= 0)) throw new RangeError(`A lock timeout must be a number of seconds ≥ 0, not ${String(timeout)}.`)
    const lockName = this.prefix + name
    const waitMs = !blocking ? 0 : timeout === undefined ? Number.POSITIVE_INFINITY : timeout * 1000
    const startedAt = performance.now()

    const mutex = mutexFor(lockName)
    if (!(blocking ? await mutex.lock(waitMs) : mutex.tryLock())) {
      dropIfIdle(lockName, mutex)
      throw blocking ? timedOut(lockName, timeout ?? 0) : held(lockName)
    }
    try {
      const fileLock = this.lockDir === undefined ? undefined : await this.lockFile(lockName, this.lockDir, waitMs - (performance.now() - startedAt), blocking, timeout)
      try {
        return await fn()
      } finally {
        await fileLock?.release().catch((error: unknown) => this.logger?.warn(`could not release lock ${lockName}: ${describeError(error)}`, {lock: lockName, error}))
      }
    } finally {
      mutex.unlock()
      dropIfIdle(lockName, mutex)
    }
  }

  private async lockFile(lockName: string, lockDir: string, waitMs: number, blocking: boolean, timeout: number | undefined): Promise<HeldLock> {
    // The lock is proper-lockfile's `mkdir <lockDir>/<name>.lock`; the path it is named after
    // need not exist (realpath: false).
    const file = join(lockDir, lockFileName(lockName))
    const lock = new FileLock(file, {
      staleMs: this.staleMs,
      timeoutMs: Math.max(0, waitMs),
      onCompromised: (error) =>
        this.logger?.error(`lock ${lockName} was lost while held (${describeError(error)}); another process may hold it now`, {lock: lockName, lockPath: `${file}.lock`, error}),
    })
    for (let attempt = 0; ; attempt++) {
      try {
        this.lockDirReady ??= mkdir(lockDir, {recursive: true, mode: 0o700})
        await this.lockDirReady
        const heldLock = await lock.acquire()
        if (heldLock.recovered) this.logger?.warn(`took over lock ${lockName}, left behind by a process that is gone`, {lock: lockName, lockPath: lock.lockPath})
        return heldLock
      } catch (error) {
        if (isStewardError(error, 'STORE_LOCK_TIMEOUT')) {
          const holder = error.data.holder as LockHolder | undefined
          throw blocking ? timedOut(lockName, timeout ?? 0, holder, lock.lockPath) : held(lockName, holder, lock.lockPath)
        }
        this.lockDirReady = undefined
        // The directory was removed under us: make it again, once.
        if (attempt === 0 && isStewardError(error) && error.data.errno === 'ENOENT') continue
        throw new StewardError('LOCK_ACQUIRE_FAILED', `Could not take lock ${lockName}: ${describeError(error)}`, {
          cause: error,
          data: {lock: lockName, reason: 'unavailable', lockPath: lock.lockPath},
          suggestions: [`Check that ${lockDir} is a writable directory.`],
        })
      }
    }
  }
}

function mutexFor(lockName: string): AsyncMutex {
  let mutex = mutexes.get(lockName)
  if (mutex === undefined) {
    mutex = new AsyncMutex()
    mutexes.set(lockName, mutex)
  }
  return mutex
}

/** Forget mutexes nobody holds or waits for, so per-object lock names do not pile up. */
function dropIfIdle(lockName: string, mutex: AsyncMutex): void {
  if (mutex.idle && mutexes.get(lockName) === mutex) mutexes.delete(lockName)
}

function heldBy(holder: LockHolder | undefined): string {
  return holder === undefined ? '' : ` by pid ${holder.pid} on ${holder.host} since ${holder.acquiredAt}`
}

function details(lockName: string, reason: string, holder: LockHolder | undefined, lockPath: string | undefined): Record<string, unknown> {
  return {lock: lockName, reason, ...(holder === undefined ? {} : {holder}), ...(lockPath === undefined ? {} : {lockPath})}
}

function held(lockName: string, holder?: LockHolder, lockPath?: string): StewardError {
  return new StewardError('LOCK_ACQUIRE_FAILED', `Lock ${lockName} is held${heldBy(holder)}, and the caller does not wait (blocking: false).`, {
    retryable: true,
    data: details(lockName, 'held', holder, lockPath),
  })
}

function timedOut(lockName: string, timeoutSeconds: number, holder?: LockHolder, lockPath?: string): StewardError {
  return new StewardError('LOCK_ACQUIRE_FAILED', `Timed out after ${timeoutSeconds} s waiting for lock ${lockName}: it is held${heldBy(holder)}.`, {
    retryable: true,
    data: details(lockName, 'timeout', holder, lockPath),
    ...(lockPath === undefined
      ? {}
      : {suggestions: [`If no steward process holds it, the lock is left over from a crash: remove ${lockPath}`]}),
  })
}
