import {afterAll, afterEach, describe, expect, it, vi} from 'vitest'
import {controlledStore, makeHarness, removeTempDirs, type Harness} from '../../test/helpers/service-harness.js'
import {Manager} from '../manager/manager.js'
import {openMemoryStore} from '../store/open-store.js'
import type {ServiceRecordPatch, StateStore} from '../store/types.js'
import {cleanupStoppedServices} from './cleanup-services.js'

class PlainManager extends Manager {
  static override rpcApiVersion = '1.0'
}

const TEN_MINUTES = 600_000

async function seed(store: StateStore, host: string, topic: string, patch: ServiceRecordPatch): Promise<number> {
  const {record} = await store.findOrCreateService({host, binary: `steward-${topic}`, topic, zone: 'nova', disabled: false})
  await store.updateService(record.id, patch)
  return record.id
}

describe('cleanupStoppedServices', () => {
  it('deletes stopped, stale records of its topic only (disabled ones too)', async () => {
    const store = openMemoryStore()
    // A second ahead, so the records created below are in the past when the clean-up runs.
    const now = new Date(Date.now() + 1000)
    const stale = new Date(now.getTime() - TEN_MINUTES).toISOString()
    const fresh = new Date(now.getTime() - 2000).toISOString()
    const stoppedStale = await seed(store, 'a', 'share', {updatedAt: stale, stoppedAt: stale})
    const stoppedStaleDisabled = await seed(store, 'b', 'share', {updatedAt: stale, stoppedAt: stale, disabled: true, disabledReason: 'gone'})
    await seed(store, 'c', 'share', {updatedAt: fresh, stoppedAt: fresh}) // stopped, but fresh
    await seed(store, 'd', 'share', {updatedAt: fresh}) // up
    await seed(store, 'e', 'share', {updatedAt: stale}) // down: crashed, not stopped
    await seed(store, 'f', 'backup', {updatedAt: stale, stoppedAt: stale}) // another topic
    await seed(store, 'g', 'share', {stoppedAt: fresh}) // stopped before its first heartbeat, created just now

    const removed = await cleanupStoppedServices(store, {topic: 'share', now, downTimeSeconds: 60})

    expect(removed).toEqual([
      {id: stoppedStale, host: 'a', binary: 'steward-share'},
      {id: stoppedStaleDisabled, host: 'b', binary: 'steward-share'},
    ])
    expect((await store.listServices()).map((record) => record.host)).toEqual(['c', 'd', 'e', 'f', 'g'])
  })

  it('judges staleness against service_down_time', async () => {
    const store = openMemoryStore()
    const now = new Date()
    await seed(store, 'a', 'share', {updatedAt: new Date(now.getTime() - 90_000).toISOString(), stoppedAt: new Date(now.getTime() - 90_000).toISOString()})
    expect(await cleanupStoppedServices(store, {topic: 'share', now, downTimeSeconds: 120})).toEqual([])
    expect(await cleanupStoppedServices(store, {topic: 'share', now, downTimeSeconds: 60})).toHaveLength(1)
  })

  it('cleans every topic when no topic is given', async () => {
    const store = openMemoryStore()
    const now = new Date()
    const stale = new Date(now.getTime() - TEN_MINUTES).toISOString()
    await seed(store, 'a', 'share', {updatedAt: stale, stoppedAt: stale})
    await seed(store, 'b', 'backup', {updatedAt: stale, stoppedAt: stale})
    expect(await cleanupStoppedServices(store, {now, downTimeSeconds: 60})).toHaveLength(2)
    expect(await store.listServices()).toEqual([])
  })
})

describe('Service.cleanupServices', () => {
  let harness: Harness | undefined
  afterEach(async () => {
    await harness?.stopAll()
    harness = undefined
    vi.useRealTimers()
  })
  afterAll(removeTempDirs)

  it('never removes an up service, nor one stopped within service_down_time; removes it once stale', async () => {
    vi.useFakeTimers()
    harness = makeHarness({managers: {share: PlainManager}, flags: {service_down_time: 60}})
    const {create, store, messages} = harness
    const cleaner = create({topic: 'share'})
    const other = create({topic: 'share', host: 'other-host'})
    await cleaner.start()
    await other.start()

    await cleaner.cleanupServices()
    expect(await store.listServices()).toHaveLength(2)

    await other.stop()
    await cleaner.cleanupServices()
    expect((await store.getService(other.serviceId!))!.stoppedAt).not.toBeNull()

    await vi.advanceTimersByTimeAsync(TEN_MINUTES)
    await cleaner.cleanupServices()
    // The cleaner has sent no heartbeat for ten minutes either, but it is not stopped.
    expect((await store.listServices()).map((record) => record.host)).toEqual(['test-host'])
    expect(messages('info')).toContain('cleaned up a stopped service record')
  })

  it('leaves other topics alone', async () => {
    harness = makeHarness({managers: {share: PlainManager}})
    const stale = new Date(Date.now() - TEN_MINUTES).toISOString()
    const backup = await seed(harness.store, 'old', 'backup', {updatedAt: stale, stoppedAt: stale})
    const share = await seed(harness.store, 'old', 'share', {updatedAt: stale, stoppedAt: stale})
    const service = harness.create({topic: 'share'})
    await service.start()
    await service.cleanupServices()
    const ids = (await harness.store.listServices()).map((record) => record.id)
    expect(ids).toContain(backup)
    expect(ids).not.toContain(share)
  })

  it('logs a store failure and keeps its timer', async () => {
    vi.useFakeTimers()
    const inner = openMemoryStore()
    const controlled = controlledStore(inner)
    harness = makeHarness({managers: {share: PlainManager}, store: controlled.store, flags: {cleanup_interval: 300}})
    const stale = new Date(Date.now() - TEN_MINUTES).toISOString()
    await seed(inner, 'old', 'share', {updatedAt: stale, stoppedAt: stale})
    const service = harness.create({topic: 'share'})
    await service.start()

    controlled.failing.add('listServices')
    await expect(service.cleanupServices()).resolves.toBeUndefined()
    await vi.advanceTimersByTimeAsync(600_000)
    expect(harness.messages('warn').filter((message) => /clean-up failed/.test(message))).toHaveLength(3)
    expect(await inner.listServices({host: 'old'})).toHaveLength(1)

    controlled.failing.clear()
    await vi.advanceTimersByTimeAsync(300_000)
    expect(await inner.listServices({host: 'old'})).toEqual([])
  })

  it('lets one service of a topic clean at a time', async () => {
    const controlled = controlledStore()
    harness = makeHarness({managers: {share: PlainManager}, store: controlled.store})
    const first = harness.create({topic: 'share', host: 'h1'})
    const second = harness.create({topic: 'share', host: 'h2'})
    await first.start()
    await second.start()
    controlled.calls.length = 0
    await Promise.all([first.cleanupServices(), second.cleanupServices()])
    expect(controlled.calls.filter((method) => method === 'listServices')).toHaveLength(1)
  })
})
