import {describe, expect, it} from 'vitest'
import {applyMutations, GroupCommitQueue, type PendingMutation} from './group-commit.js'
import {emptyState} from './state-document.js'

describe('applyMutations', () => {
  it('applies in order, rolls back a throwing fn and copies each result', () => {
    let reloads = 0
    const reload = () => {
      reloads++
      return emptyState()
    }
    const {data, outcomes} = applyMutations(emptyState(), [
      (doc) => {
        doc.hosts.push({n: 1} as never)
        return doc.hosts
      },
      (doc) => {
        doc.hosts.push({n: 2} as never)
        throw new Error('second fails')
      },
      (doc) => {
        doc.hosts.push({n: 3} as never)
        return doc.hosts.length
      },
    ], reload)
    expect(data.hosts).toEqual([{n: 1}, {n: 3}])
    expect(reloads).toBe(1)
    expect(outcomes).toEqual([
      {ok: true, value: [{n: 1}]},
      {ok: false, error: new Error('second fails')},
      {ok: true, value: 2},
    ])
  })

  it('reports a result that cannot be copied as that fn failing', () => {
    const {data, outcomes} = applyMutations(emptyState(), [
      (doc) => doc.hosts.push({} as never),
      (doc) => {
        doc.hosts.push({} as never)
        return () => 'a function'
      },
    ], emptyState)
    expect(data.hosts).toHaveLength(1)
    expect(outcomes[1]).toMatchObject({ok: false})
  })

  it('reloads nothing when every fn succeeds, or when a lone fn fails', () => {
    const reload = () => {
      throw new Error('must not reload')
    }
    expect(applyMutations(emptyState(), [(doc) => doc.hosts.push({} as never), (doc) => doc.hosts.length], reload).outcomes).toEqual([
      {ok: true, value: 1},
      {ok: true, value: 1},
    ])
    const lone = applyMutations(emptyState(), [() => {
      throw new Error('alone')
    }], reload)
    expect(lone.outcomes).toEqual([{ok: false, error: new Error('alone')}])
  })

  it('drops a fn that throws only when it is replayed', () => {
    let runs = 0
    const flaky = (doc: ReturnType<typeof emptyState>) => {
      if (++runs > 1) throw new Error('not deterministic')
      doc.hosts.push({flaky: true} as never)
    }
    const {data, outcomes} = applyMutations(emptyState(), [
      (doc) => doc.hosts.push({n: 1} as never),
      flaky,
      () => {
        throw new Error('third fails')
      },
      (doc) => doc.hosts.length,
    ], emptyState)
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, false, true])
    expect(outcomes[1]).toEqual({ok: false, error: new Error('not deterministic')})
    expect(data.hosts).toEqual([{n: 1}])
    expect(outcomes[3]).toEqual({ok: true, value: 1})
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
