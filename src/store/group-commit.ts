import type {StateData} from './types.js'

export type Mutation = (data: StateData) => unknown

export interface PendingMutation {
  readonly fn: Mutation
  resolve(value: unknown): void
  reject(error: unknown): void
}

export type MutationOutcome = {ok: true; value: unknown} | {ok: false; error: unknown}

/**
 * Apply `fns` in order to `data`, each seeing the changes of those before it. A fn that throws is
 * rolled back (the document is restored from a copy taken just before it) and the others go on.
 * Each result is copied at once, so a later fn of the batch cannot change what an earlier caller
 * gets back. A lone fn needs no copy: when it throws, the caller simply does not write.
 */
export function applyMutations(
  data: StateData,
  fns: readonly Mutation[],
): {data: StateData; outcomes: MutationOutcome[]} {
  let working = data
  const outcomes = fns.map((fn): MutationOutcome => {
    const before = fns.length > 1 ? structuredClone(working) : undefined
    try {
      return {ok: true, value: structuredClone(fn(working))}
    } catch (error) {
      if (before !== undefined) working = before
      return {ok: false, error}
    }
  })
  return {data: working, outcomes}
}

/**
 * Queues mutations and hands them to `commit` in batches: while one commit runs, new mutations
 * wait, and the next commit takes all of them at once. `commit` calls `take()` as late as it can
 * (after it holds the lock), so mutations issued while the lock is being acquired still join.
 * `commit` settles every mutation it took; if it throws instead, they all reject with its error.
 */
export class GroupCommitQueue {
  readonly #commit: (take: () => PendingMutation[]) => Promise<void>
  #pending: PendingMutation[] = []
  #draining: Promise<void> | undefined

  constructor(commit: (take: () => PendingMutation[]) => Promise<void>) {
    this.#commit = commit
  }

  enqueue<T>(fn: (data: StateData) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({fn, resolve: resolve as (value: unknown) => void, reject})
      this.#draining ??= this.#drain()
    })
  }

  /** Resolves once every queued mutation has been committed or rejected. */
  async idle(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        let batch: PendingMutation[] | undefined
        const take = (): PendingMutation[] => (batch ??= this.#pending.splice(0))
        try {
          await this.#commit(take)
        } catch (error) {
          for (const mutation of take()) mutation.reject(error)
        }
      }
    } finally {
      this.#draining = undefined
    }
  }
}
