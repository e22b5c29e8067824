/**
 * The share plugin and the scheduler in one test host (startTestHost, in this process), on the
 * share-memory driver: the life of a share and what each service shows monitors.
 */
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openStore} from '../../src/store/index.js'
import {startTestHost, type TestHost} from '../../src/testing/index.js'
import {SHARE_PLUGIN, SHARES_COLLECTION, type ShareRecord} from './share-types.js'

describe('ShareManager on share-memory, scheduled by SchedulerManager', () => {
  let host: TestHost

  beforeAll(async () => {
    host = await startTestHost({
      topics: ['scheduler', 'share'],
      config: {periodic_fuzzy_delay: 0, rpc_response_timeout: 10, share: {driver: 'share-memory', backends: {m1: {capacity_gb: 4}, m2: {capacity_gb: 6}}}},
      logLevel: 'info',
    })
    await host.waitForLog('capabilities of test-host@m1 accepted')
    await host.waitForLog('capabilities of test-host@m2 accepted')
  })
  afterAll(() => host.stop())

  it('creates a share on the backend with the most free space, and its record goes creating → available', async () => {
    const created = await host.call<ShareRecord>('scheduler', 'createShare', {size: 3, name: 'docs'})
    expect(created).toMatchObject({name: 'docs', size: 3, status: 'creating', host: 'test-host@m2#memory'})
    await host.waitForLog(`share ${created.id} available`)
    const [share] = await host.call<ShareRecord[]>('share', 'listShares', {}, {server: 'test-host@m2'})
    expect(share).toMatchObject({id: created.id, status: 'available', exportLocation: `memory://memory/${created.id}`})
  })

  it('shows monitors the capabilities: each backend its last report, the scheduler its host-state map', async () => {
    const backend = host.host.services.find((service) => service.host === 'test-host@m1')!
    const scheduler = host.host.services.find((service) => service.topic === 'scheduler')!
    const details = async (service: typeof backend) => (await service.details())?.capabilities
    expect(await details(backend)).toEqual({backendName: 'm1', driver: 'share-memory', pools: [{name: 'memory', totalCapacityGb: 4, freeCapacityGb: 4, allocatedCapacityGb: 0, reservedPercentage: 0}]})
    expect(Object.keys((await details(scheduler)) as object).sort()).toEqual(['test-host@m1', 'test-host@m2'])
  })

  it('counts a share placed on it but still creating in the capacity it reports, so a report cannot undo a placement', async () => {
    // What the scheduler writes before it casts createShare; the cast has not arrived yet.
    const store = await openStore({stateDir: path.join(host.dir, 'state')})
    const now = new Date().toISOString()
    try {
      await store.collection(SHARE_PLUGIN, SHARES_COLLECTION).put({id: 'placed', name: null, size: 2, status: 'creating', statusReason: null, availabilityZone: 'nova', host: 'test-host@m1#memory', exportLocation: null, createdAt: now, updatedAt: now})
    } finally {
      await store.close()
    }
    await host.call('share', 'publishServiceCapabilities', {}, {server: 'test-host@m1'})
    expect(await host.call('share', 'listShares', {}, {server: 'test-host@m1'})).toContainEqual(expect.objectContaining({id: 'placed', status: 'creating'}))
    const backend = host.host.services.find((service) => service.host === 'test-host@m1')!
    expect((await backend.details())?.capabilities).toMatchObject({pools: [{name: 'memory', freeCapacityGb: 2, allocatedCapacityGb: 2}]})
  })

  it('deletes the record of a share no backend could take on any backend, as it has no data', async () => {
    const failed = await host.call<ShareRecord>('scheduler', 'createShare', {size: 1, availabilityZone: 'elsewhere'})
    expect(failed).toMatchObject({status: 'error', host: null, statusReason: expect.stringMatching(/^No valid host was found/)})
    expect(await host.call('share', 'deleteShare', {shareId: failed.id}, {server: 'test-host@m1'})).toMatchObject({id: failed.id, status: 'deleted'})
    await expect(host.call('share', 'deleteShare', {shareId: failed.id}, {server: 'test-host@m2'})).rejects.toMatchObject({code: 'SHARE_NOT_FOUND'})
  })

  it('refuses changes in the wrong state, of unknown shares, and without an id', async () => {
    const created = await host.call<ShareRecord>('scheduler', 'createShare', {size: 1})
    await host.waitForLog(`share ${created.id} available`)
    const server = created.host!.split('#')[0]!
    await expect(host.call('share', 'createShare', {shareId: created.id}, {server})).rejects.toMatchObject({code: 'SHARE_INVALID_STATE'})
    await expect(host.call('share', 'deleteShare', {shareId: 'nosuch'}, {server})).rejects.toMatchObject({code: 'SHARE_NOT_FOUND'})
    await expect(host.call('share', 'extendShare', {newSize: 2}, {server})).rejects.toMatchObject({code: 'SHARE_NOT_FOUND'})
    await expect(host.call('share', 'extendShare', {shareId: created.id, newSize: 0}, {server})).rejects.toMatchObject({code: 'SHARE_INVALID_SIZE'})
  })
})
