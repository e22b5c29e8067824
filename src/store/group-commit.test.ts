import {describe, expect, it} from 'vitest'
import {applyMutations, GroupCommitQueue, type PendingMutation} from './group-commit.js'
import {emptyState} from './state-document.js'

describe('applyMutations', () => {
  it('applies in order, rolls back a throwing fn and copies each result', () => {
    const {data, outcomes} = applyMutations(emptyState(), [
      (doc) => {
        doc.hosts.push({n: 1})
        return doc.hosts
      },
      (doc) => {
        doc.hosts.push({n: 2})
        throw new Error('second fails')
      },
      (doc) => {
        doc.hosts.push({n: 3})
        return doc.hosts.length
      },
    ])
    expect(data.hosts).toEqual([{n: 1}, {n: 3}])
    expect(outcomes).toEqual([
      {ok: true, value: [{n: 1}]},
      {ok: false, error: new Error('second fails')},
      {ok: true, value: 2},
    ])
  })

  it('reports a result that cannot be copied as that fn failing', () => {
    const {data, outcomes} = applyMutations(emptyState(), [
      (doc) => doc.hosts.push({}),
      (doc) => {
        doc.hosts.push({})
        return () => 'a function'
      },
    ])
    expect(data.hosts).toHaveLength(1)
    expect(outcomes[1]).toMatchObject({ok: false})
  })
})

describe('GroupCommitQueue', () => {
  it('commits what arrives during a commit together in the next one', async () => {
    const batches: number[] = []
    let releaseFirst: () => void = () => {}
    const firstMayFinish = new Promise<void>((resolve) => (releaseFirst = resolve))
    const queue = new GroupCommitQueue(async (take) => {
      if (batches.length === 0) await firstMayFinish
      const batch: PendingMutation[] = take()
      batches.push(batch.length)
      for (const mutation of batch) mutation.resolve(mutation.fn(emptyState()))
    })
    const first = queue.enqueue(() => 'first')
    // The first commit has not taken its batch yet (it is "waiting for the lock"), so these join it.
    const early = [queue.enqueue(() => 'early')]
    releaseFirst()
    await first
    const late = [1, 2, 3].map((n) => queue.enqueue(() => n))
    expect(await Promise.all([first, ...early, ...late])).toEqual(['first', 'early', 1, 2, 3])
    expect(batches).toEqual([2, 3])
    await queue.idle()
  })

  it('rejects the batch with the commit error and goes on with the next', async () => {
    let calls = 0
    const queue = new GroupCommitQueue(async (take) => {
      calls++
      if (calls === 1) throw new Error('lock timeout')
      for (const mutation of take()) mutation.resolve('ok')
    })
    const failing = [queue.enqueue(() => 1), queue.enqueue(() => 2)]
    await expect(Promise.all(failing)).rejects.toThrow('lock timeout')
    await expect(failing[1]).rejects.toThrow('lock timeout')
    await expect(queue.enqueue(() => 3)).resolves.toBe('ok')
  })
})
