import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {LowdbBackend} from './lowdb-backend.js'
import {MemoryBackend} from './memory-backend.js'
import type {DocumentBackend, ServiceRecord} from './types.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function lowdbBackend(): Promise<DocumentBackend> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-backend-'))
  const backend = new LowdbBackend({file: join(dir, 'steward.json'), lockStaleMs: 2000, lockTimeoutMs: 5000, onWarning: () => {}})
  cleanups.push(async () => {
    await backend.close()
    await rm(dir, {recursive: true, force: true})
  })
  return backend
}

function record(id: number): ServiceRecord {
  return {
    id,
    host: `host-${id}`,
    binary: 'steward-share',
    topic: 'share',
    zone: 'nova',
    disabled: false,
    disabledReason: null,
    reportCount: 0,
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: null,
    stoppedAt: null,
  }
}

describe.each([
  ['memory', async (): Promise<DocumentBackend> => new MemoryBackend()],
  ['lowdb', lowdbBackend],
])('the %s document backend', (_name, open) => {
  it('rolls back a throwing mutation and keeps the ones around it', async () => {
    const backend = await open()
    const results = await Promise.allSettled([
      backend.mutate((data) => data.services.push(record(1))),
      backend.mutate((data) => {
        data.services.push(record(2))
        data.hosts.push({name: 'half-done'} as never)
        throw new Error('boom')
      }),
      backend.mutate((data) => data.services.push(record(3))),
    ])
    expect(results[0]).toEqual({status: 'fulfilled', value: 1})
    expect(results[1]).toMatchObject({status: 'rejected', reason: {message: 'boom'}})
    // The third sees the first's record but not the second's.
    expect(results[2]).toEqual({status: 'fulfilled', value: 2})
    const data = await backend.read()
    expect(data.services.map((service) => service.id)).toEqual([1, 3])
    expect(data.hosts).toEqual([])
  })

  it('changes nothing when the only mutation throws', async () => {
    const backend = await open()
    await backend.mutate((data) => data.services.push(record(1)))
    await expect(
      backend.mutate((data) => {
        data.services = []
        throw new Error('nope')
      }),
    ).rejects.toThrow('nope')
    expect((await backend.read()).services).toHaveLength(1)
  })

  it('copies results out, so later mutations of the same batch do not show through', async () => {
    const backend = await open()
    await backend.mutate((data) => data.services.push(record(1)))
    const bump = () =>
      backend.mutate((data) => {
        const service = data.services[0]!
        service.reportCount++
        return service
      })
    const [first, second] = await Promise.all([bump(), bump()])
    expect([first.reportCount, second.reportCount]).toEqual([1, 2])
    first.reportCount = 100
    expect((await backend.read()).services[0]?.reportCount).toBe(2)
  })
})
