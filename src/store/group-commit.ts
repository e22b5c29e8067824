import type {StateData} from './types.js'

export type Mutation = (data: StateData) => unknown

export interface PendingMutation {
  readonly fn: Mutation
  resolve(value: unknown): void
  reject(error: unknown): void
}

export type MutationOutcome = {ok: true; value: unknown} | {ok: false; error: unknown}

/**
 * Apply `fns` in order to `data`, each seeing the changes of those before it, and copy each result
 * at once, so a later fn of the batch cannot change what an earlier caller gets back.
 *
 * A fn that throws is dropped and the others go on: the document is rebuilt from `reload()` (a
 * fresh copy of the committed document) by replaying the fns before it that succeeded. Failures
 * are rare, so this costs nothing in the common case, where copying the document before every fn
 * (20 heartbeats in a batch, 20 copies) would dominate the commit. It is why a mutation must be a
 * deterministic function of the document (see DocumentBackend.mutate). A fn that throws only on
 * the replay is dropped as well.
 */
export function applyMutations(
  data: StateData,
  fns: readonly Mutation[],
  reload: () => StateData,
): {data: StateData; outcomes: MutationOutcome[]} {
  let working = data
  const outcomes: MutationOutcome[] = []
  const rebuild = (upTo: number): StateData => {
    for (;;) {
      const fresh = reload()
      const failed = outcomes.slice(0, upTo).findIndex((outcome, index) => {
        if (!outcome.ok) return false
        try {
          fns[index]?.(fresh)
          return false
        } catch (error) {
          outcomes[index] = {ok: false, error}
          return true
        }
      })
      if (failed === -1) return fresh
    }
  }
  fns.forEach((fn, index) => {
    try {
      outcomes.push({ok: true, value: structuredClone(fn(working))})
    } catch (error) {
      outcomes.push({ok: false, error})
      // The last fn failing with nothing before it to keep leaves nothing to write at all.
      const needed = index < fns.length - 1 || outcomes.some((outcome) => outcome.ok)
      if (needed) working = rebuild(index)
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
