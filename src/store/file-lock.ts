import * as fs from 'node:fs'
import {readFile, rm, stat} from 'node:fs/promises'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import type * as ProperLockfile from 'proper-lockfile'
import {isProcessAlive} from './process-liveness.js'
import {lockTimeout, stateFileUnavailable, type LockHolder} from './store-errors.js'

export interface FileLockOptions {
  /**
   * A lock directory whose mtime is older than this is stale and may be taken over (proper-lockfile
   * refreshes it every staleMs / 2 while the lock is held). proper-lockfile's minimum is 2000.
   */
  staleMs: number
  /** How long acquire() waits before STORE_LOCK_TIMEOUT. */
  timeoutMs: number
  /**
   * Told when a held lock turns out to be lost (its directory vanished or was refreshed by someone
   * else). proper-lockfile's default throws from a timer, which would crash the process.
   */
  onCompromised: (error: Error) => void
}

export interface HeldLock {
  /** Set when the lock was lost while held; a write must not be committed then. */
  readonly compromised: Error | undefined
  /** True when a lock left behind by a dead process was removed to get this one. */
  readonly recovered: boolean
  release(): Promise<void>
}

const ownerFileName = 'owner'
const localHost = hostname()

/**
 * proper-lockfile, loaded at the first acquire rather than with the store: it pulls in graceful-fs,
 * retry and signal-exit (which hooks the process's signals and exit as it loads), and commands that
 * only read the store never take a lock. It is loaded before any lock is held, so its exit handler
 * that removes held locks is always in place.
 */
let properLockfile: Promise<typeof ProperLockfile> | undefined
const loadProperLockfile = (): Promise<typeof ProperLockfile> => (properLockfile ??= import('proper-lockfile'))

/**
 * A cross-process lock on one file: proper-lockfile's `mkdir <file>.lock`, with two additions.
 *
 * - The lock directory holds an `owner` file (pid, host, time), written by the same `mkdir` call
 *   proper-lockfile makes, before it stamps the directory's mtime. It names the holder in
 *   STORE_LOCK_TIMEOUT messages.
 * - A waiter that finds the lock held by a process of this host that no longer exists (killed
 *   with SIGKILL, OOM-killed) removes it at once instead of waiting `staleMs` for the mtime to age:
 *   without that every CLI command after a host crash would stall for up to 10 s. The removal has
 *   the same check-then-remove window as proper-lockfile's own stale removal, narrowed by checking
 *   that the directory is still the same one (inode and mtime) just before removing it. A lock
 *   without an owner file (its holder died between mkdir and writing it) or of another host still
 *   goes through the mtime rule. Processes that share a state directory across PID namespaces
 *   must therefore have distinct host names (containers do by default).
 */
export class FileLock {
  readonly file: string
  readonly lockPath: string
  readonly #options: FileLockOptions
  /** True while proper-lockfile is acquiring: an rmdir then is the removal of a stale lock. */
  #acquiring = false
  #removedStale = false
  /** Passed to proper-lockfile as its `fs`; it also caches the mtime precision on this object. */
  readonly #fs: typeof fs

  constructor(file: string, options: FileLockOptions) {
    this.file = file
    this.lockPath = `${file}.lock`
    this.#options = options
    const owner = (): string => JSON.stringify({pid: process.pid, host: localHost, acquiredAt: new Date().toISOString()})
    const mkdir = (path: string, callback: (error: NodeJS.ErrnoException | null) => void): void => {
      fs.mkdir(path, (mkdirError) => {
        if (mkdirError) return callback(mkdirError)
        fs.writeFile(join(path, ownerFileName), owner(), {mode: 0o600}, (writeError) => {
          if (!writeError) return callback(null)
          fs.rm(path, {recursive: true, force: true}, () => callback(writeError))
        })
      })
    }
    // The lock directory is not empty (owner file), so removing it is rm -r, not rmdir.
    const rmdir = (path: string, callback: (error: NodeJS.ErrnoException | null) => void): void => {
      if (this.#acquiring) this.#removedStale = true
      fs.rm(path, {recursive: true}, callback)
    }
    const rmdirSync = (path: string): void => fs.rmSync(path, {recursive: true})
    this.#fs = {...fs, mkdir, rmdir, rmdirSync} as unknown as typeof fs
  }

  async acquire(): Promise<HeldLock> {
    const {lock} = await loadProperLockfile()
    const started = Date.now()
    let recovered = false
    let previous: 'gone' | 'removed' | 'held' | undefined
    for (let attempt = 0; ; attempt++) {
      let compromised: Error | undefined
      this.#acquiring = true
      this.#removedStale = false
      try {
        const release = await lock(this.file, {
          stale: this.#options.staleMs,
          realpath: false,
          retries: 0,
          fs: this.#fs,
          onCompromised: (error) => {
            compromised = error
            try {
              this.#options.onCompromised(error)
            } catch {
              // A reporting hook must not turn a lost lock into a crash.
            }
          },
        })
        recovered ||= this.#removedStale
        return {
          get compromised() {
            return compromised
          },
          recovered,
          release: async () => {
            // ERELEASED / ENOTACQUIRED: the lock was compromised and onCompromised has said so.
            if (compromised === undefined) await release()
          },
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
          throw stateFileUnavailable(this.lockPath, 'create the lock directory', error)
        }
      } finally {
        this.#acquiring = false
      }
      const outcome = await this.#removeIfOwnerDead()
      if (outcome === 'removed') recovered = true
      // Retry at once after removing a dead owner's lock, or when the lock was just released
      // (but not over and over: a lock that keeps vanishing is contended, so back off).
      if (outcome === 'removed' || (outcome === 'gone' && previous !== 'gone')) {
        previous = outcome
        continue
      }
      previous = outcome
      const waited = Date.now() - started
      if (waited >= this.#options.timeoutMs) {
        throw lockTimeout(this.file, this.lockPath, waited, await this.#readOwner())
      }
      // Critical sections last milliseconds: retry soon, with jitter so waiters spread out.
      const delay = Math.min(25, 2 ** Math.min(attempt, 5)) * (0.5 + Math.random())
      await sleep(Math.min(delay, this.#options.timeoutMs - waited))
    }
  }

  async #readOwner(): Promise<LockHolder | undefined> {
    try {
      const owner = JSON.parse(await readFile(join(this.lockPath, ownerFileName), 'utf8')) as Partial<LockHolder>
      return typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.acquiredAt === 'string'
        ? {pid: owner.pid, host: owner.host, acquiredAt: owner.acquiredAt}
        : undefined
    } catch {
      return undefined
    }
  }

  async #removeIfOwnerDead(): Promise<'gone' | 'removed' | 'held'> {
    const identify = async () => {
      try {
        const info = await stat(this.lockPath, {bigint: true})
        return `${info.ino}:${info.mtimeNs}`
      } catch {
        return undefined
      }
    }
    const before = await identify()
    if (before === undefined) return 'gone'
    const owner = await this.#readOwner()
    if (owner === undefined || owner.host !== localHost || isProcessAlive(owner.pid)) return 'held'
    if ((await identify()) !== before) return 'held'
    await rm(this.lockPath, {recursive: true, force: true})
    return 'removed'
  }
}
