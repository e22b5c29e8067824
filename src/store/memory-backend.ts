import {emptyState} from './state-document.js'
import {storeClosed} from './store-errors.js'
import type {DocumentBackend, StateData} from './types.js'

/**
 * The state document in memory, for unit tests and throwaway hosts. Everything is copied on the
 * way in and out (structuredClone), so a caller can never change the stored state by holding on
 * to an object, just as with the file backend. A mutation works on a copy that replaces the
 * document only when the mutation returns, so a throwing one changes nothing.
 */
export class MemoryBackend implements DocumentBackend {
  readonly location = 'memory'
  #data: StateData
  #closed = false

  constructor(initial: StateData = emptyState()) {
    this.#data = structuredClone(initial)
  }

  async read(): Promise<StateData> {
    if (this.#closed) throw storeClosed(this.location)
    return structuredClone(this.#data)
  }

  async mutate<T>(fn: (data: StateData) => T): Promise<T> {
    if (this.#closed) throw storeClosed(this.location)
    const working = structuredClone(this.#data)
    const result = structuredClone(fn(working))
    this.#data = working
    return result
  }

  async close(): Promise<void> {
    this.#closed = true
  }
}
