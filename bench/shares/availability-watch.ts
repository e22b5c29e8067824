// When each share becomes available, learnt from the share host's log as it is written: the share
// manager logs `share <id> available` right after the record says so, and the benchmark reads the
// host's stdout through a pipe. No polling: nothing is added to the system under test.
import {BenchError} from '../rpc/children.js'
import type {HostProcess} from './host-process.js'

const OUTCOME = /\] share ([0-9a-f-]{36}) (available(?= |$)|failed to create: .*)/

interface Waiter {
  resolve(at: number): void
  reject(error: Error): void
}

export class AvailabilityWatch {
  /** Outcomes read before anyone waited for them (the log line can beat the HTTP answer). */
  readonly #early = new Map<string, number | Error>()
  readonly #waiting = new Map<string, Waiter>()
  readonly #stop: () => void

  constructor(host: HostProcess) {
    this.#stop = host.onLine((line) => {
      const match = OUTCOME.exec(line)
      if (match === null) return
      const at = performance.now()
      const [, id, outcome] = match as unknown as [string, string, string]
      const result = outcome === 'available' ? at : new BenchError(`share ${id} ${outcome}`)
      const waiter = this.#waiting.get(id)
      if (waiter === undefined) {
        this.#early.set(id, result)
        return
      }
      this.#waiting.delete(id)
      if (typeof result === 'number') waiter.resolve(result)
      else waiter.reject(result)
    })
    void host.exited.then(() => {
      for (const [id, waiter] of this.#waiting) waiter.reject(new BenchError(`host ${host.name} exited before share ${id} was available${host.describeTail()}`))
      this.#waiting.clear()
    })
  }

  /** The moment (performance.now()) the host's line saying the share is available was read. */
  available(id: string): Promise<number> {
    const early = this.#early.get(id)
    if (early !== undefined) {
      this.#early.delete(id)
      return typeof early === 'number' ? Promise.resolve(early) : Promise.reject(early)
    }
    return new Promise((resolve, reject) => this.#waiting.set(id, {resolve, reject}))
  }

  close(): void {
    this.#stop()
  }
}
