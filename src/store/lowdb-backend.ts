import {mkdir} from 'node:fs/promises'
import {dirname} from 'node:path'
import {Low} from 'lowdb'
import {describeError, StewardError} from '../errors/index.js'
import {LatencyBuckets, STORE_LATENCY_BOUNDS} from '../metrics/latency-buckets.js'
import {FileLock} from './file-lock.js'
import {applyMutations, GroupCommitQueue, type MutationOutcome, type PendingMutation} from './group-commit.js'
import {emptyState} from './state-document.js'
import {readStateFile, removeDeadWritersTempFiles, StateFile} from './state-file.js'
import {stateFileNotFound, stateFileUnavailable, storeClosed} from './store-errors.js'
import type {BackendStats, DocumentBackend, StateData} from './types.js'

/** Receives what the store has to say but nobody asked for (a lost lock, a failed unlock). */
export type StoreWarningSink = (message: string, fields: Record<string, unknown>) => void

export interface LowdbBackendOptions {
  /** The state file. Its directory is created (mode 0700) by the first mutation if missing. */
  file: string
  lockStaleMs: number
  lockTimeoutMs: number
  onWarning: StoreWarningSink
}

/**
 * The state document in one JSON file, shared safely by many processes. lowdb holds the document
 * and talks to the file through {@link StateFile}; what lowdb alone does not give is added here:
 * a cross-process lock around every read-modify-write ({@link FileLock}), a re-read inside it, and
 * group commit, so a process with twenty services heartbeating takes one lock per tick, not twenty.
 */
export class LowdbBackend implements DocumentBackend {
  readonly location: string
  readonly stats: BackendStats = {mutations: 0, commits: 0, recoveredLocks: 0, commitLatency: new LatencyBuckets(STORE_LATENCY_BOUNDS)}
  readonly #db: Low<StateData>
  readonly #file: StateFile
  readonly #lock: FileLock
  readonly #queue: GroupCommitQueue
  readonly #onWarning: StoreWarningSink
  #closed = false

  constructor(options: LowdbBackendOptions) {
    this.location = options.file
    this.#onWarning = options.onWarning
    this.#file = new StateFile(options.file)
    this.#db = new Low<StateData>(this.#file, emptyState())
    this.#lock = new FileLock(options.file, {
      staleMs: options.lockStaleMs,
      timeoutMs: options.lockTimeoutMs,
      onCompromised: (error) => this.#warn('The state file lock was lost while held; a write in progress is abandoned.', error),
    })
    this.#queue = new GroupCommitQueue((take) => this.#commit(take))
  }

  /** No lock: the file is only ever replaced whole, by rename. */
  async read(): Promise<StateData> {
    if (this.#closed) throw storeClosed(this.location)
    const contents = await readStateFile(this.location)
    if (contents === null) throw stateFileNotFound(this.location)
    return contents.data
  }

  mutate<T>(fn: (data: StateData) => T): Promise<T> {
    if (this.#closed) return Promise.reject(storeClosed(this.location))
    this.stats.mutations++
    return this.#queue.enqueue(fn)
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.#queue.idle()
  }

  async #commit(take: () => PendingMutation[]): Promise<void> {
    const startedAt = performance.now()
    try {
      await mkdir(dirname(this.location), {recursive: true, mode: 0o700})
    } catch (error) {
      throw stateFileUnavailable(dirname(this.location), 'create the state directory', error)
    }
    const held = await this.#lock.acquire()
    this.stats.commits++
    let batch: PendingMutation[]
    let outcomes: MutationOutcome[]
    let writeError: unknown
    try {
      if (held.recovered) {
        this.stats.recoveredLocks++
        await removeDeadWritersTempFiles(this.location).catch((error: unknown) =>
          this.#warn('Could not remove temp files left by a dead writer.', error),
        )
      }
      // Low.read() keeps the old data when the file is missing; start from an empty document.
      this.#db.data = emptyState()
      await this.#db.read()
      batch = take()
      const applied = applyMutations(
        this.#db.data,
        batch.map((mutation) => mutation.fn),
        () => this.#file.reread(),
      )
      outcomes = applied.outcomes
      if (outcomes.some((outcome) => outcome.ok)) {
        try {
          if (held.compromised !== undefined) throw this.#lockLost(held.compromised)
          this.#db.data = applied.data
          await this.#db.write()
        } catch (error) {
          writeError = error
        }
      }
    } finally {
      // Released before anyone hears back: when a caller's promise settles, the lock is free.
      await held.release().catch((error: unknown) => this.#warn('Could not release the state file lock.', error))
      this.stats.commitLatency.observe((performance.now() - startedAt) / 1000)
    }
    // Each caller gets its own result, its own error, or the write's error.
    outcomes.forEach((outcome, index) => {
      const mutation = batch[index]
      if (mutation === undefined) return
      if (!outcome.ok) mutation.reject(outcome.error)
      else if (writeError !== undefined) mutation.reject(writeError)
      else mutation.resolve(outcome.value)
    })
  }

  #lockLost(cause: Error): StewardError {
    return new StewardError('STORE_UNAVAILABLE', `Lost the lock on ${this.location} before writing it; nothing was written.`, {
      cause,
      retryable: true,
      data: {path: this.location},
    })
  }

  #warn(message: string, error: unknown): void {
    this.#onWarning(message, {file: this.location, error: describeError(error)})
  }
}
