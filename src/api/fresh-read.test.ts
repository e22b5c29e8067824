import {describe, expect, it} from 'vitest'
import {FreshRead} from './fresh-read.js'

/** A read the test ends by hand, counting how many were started. */
function manualReads(): {read: () => Promise<number>; started: () => number; finish: (value: number) => void} {
  const pending: Array<(value: number) => void> = []
  let started = 0
  return {
    read: () => {
      started++
      return new Promise<number>((resolve) => pending.push(resolve))
    },
    started: () => started,
    finish: (value) => pending.shift()!(value),
  }
}

describe('FreshRead', () => {
  it('reads at once when no read is under way', async () => {
    const reads = manualReads()
    const fresh = new FreshRead(reads.read)
    const first = fresh.get()
    expect(reads.started()).toBe(1)
    reads.finish(1)
    expect(await first).toBe(1)
  })

  it('gives the requests that arrive during a read one shared read started after it, never the one under way', async () => {
    const reads = manualReads()
    const fresh = new FreshRead(reads.read)
    const early = fresh.get()
    const late = [fresh.get(), fresh.get(), fresh.get()]
    expect(reads.started()).toBe(1)
    reads.finish(1)
    expect(await early).toBe(1)
    await Promise.resolve()
    await Promise.resolve()
    expect(reads.started()).toBe(2)
    reads.finish(2)
    expect(await Promise.all(late)).toEqual([2, 2, 2])
    // Idle again: the next one reads at once.
    const next = fresh.get()
    expect(reads.started()).toBe(3)
    reads.finish(3)
    expect(await next).toBe(3)
  })

  it('lets a failed read fail only its own waiters', async () => {
    let calls = 0
    const fresh = new FreshRead(async () => {
      calls++
      if (calls === 1) throw new Error('store unavailable')
      return calls
    })
    const failing = fresh.get()
    const after = fresh.get()
    await expect(failing).rejects.toThrow('store unavailable')
    expect(await after).toBe(2)
  })
})
