import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {DocumentStore} from './document-store.js'
import {openMemoryStore, openStore} from './open-store.js'
import type {NewServiceRecord} from './types.js'

const share: NewServiceRecord = {host: 'alpha', binary: 'steward-share', topic: 'share', zone: 'nova', disabled: false}
const scheduler: NewServiceRecord = {host: 'alpha', binary: 'steward-scheduler', topic: 'scheduler', zone: 'nova', disabled: false}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function memoryStore(): Promise<DocumentStore> {
  return openMemoryStore()
}

async function fileStore(): Promise<DocumentStore> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-store-'))
  const store = await openStore({stateDir: join(dir, 'state'), create: true})
  cleanups.push(async () => {
    await store.close()
    await rm(dir, {recursive: true, force: true})
  })
  return store
}

describe.each([
  ['memory', memoryStore],
  ['lowdb', fileStore],
])('DocumentStore on the %s backend', (_name, open) => {
  it('creates a service record once and finds it after', async () => {
    const store = await open()
    const first = await store.findOrCreateService(share)
    const again = await store.findOrCreateService({...share, topic: 'ignored', disabled: true})
    expect(first.created).toBe(true)
    expect(first.record).toMatchObject({
      id: 1,
      ...share,
      disabledReason: null,
      reportCount: 0,
      updatedAt: null,
      stoppedAt: null,
    })
    expect(Date.parse(first.record.createdAt)).not.toBeNaN()
    expect(again).toEqual({record: first.record, created: false})
    expect(await store.listServices()).toEqual([first.record])
  })

  it('creates one record when find-or-create calls for the same service race in one process', async () => {
    const store = await open()
    const results = await Promise.all(Array.from({length: 10}, () => store.findOrCreateService(share)))
    expect(results.filter((result) => result.created)).toHaveLength(1)
    expect(new Set(results.map((result) => result.record.id))).toEqual(new Set([1]))
    expect(await store.listServices()).toHaveLength(1)
  })

  it('gives new records increasing ids that are not reused after a removal', async () => {
    const store = await open()
    const a = await store.findOrCreateService(share)
    const b = await store.findOrCreateService(scheduler)
    expect(await store.removeServices([b.record.id])).toBe(1)
    const c = await store.findOrCreateService({...scheduler, host: 'beta'})
    expect([a.record.id, b.record.id, c.record.id]).toEqual([1, 2, 3])
  })

  it('updates only the patchable fields and leaves updatedAt alone', async () => {
    const store = await open()
    const {record} = await store.findOrCreateService(share)
    const patch = {disabled: true, disabledReason: 'maintenance', host: 'hijack', id: 99}
    const updated = await store.updateService(record.id, patch as unknown as Parameters<DocumentStore['updateService']>[1])
    expect(updated).toEqual({...record, disabled: true, disabledReason: 'maintenance'})
    expect(await store.getService(record.id)).toEqual(updated)
    expect(await store.updateService(404, {disabled: true})).toBeUndefined()
  })

  it('counts heartbeats and stamps updatedAt', async () => {
    const store = await open()
    const {record} = await store.findOrCreateService(share)
    const at = new Date('2030-01-02T03:04:05.000Z')
    await store.reportService(record.id, new Date('2030-01-01T00:00:00.000Z'))
    const reported = await store.reportService(record.id, at)
    expect(reported).toMatchObject({reportCount: 2, updatedAt: at.toISOString()})
    expect(await store.reportService(404, at)).toBeUndefined()
  })

  it('counts every one of many concurrent heartbeats', async () => {
    const store = await open()
    const {record} = await store.findOrCreateService(share)
    const results = await Promise.all(Array.from({length: 25}, () => store.reportService(record.id, new Date())))
    expect(results.map((result) => result?.reportCount).sort((a = 0, b = 0) => a - b)).toEqual(
      Array.from({length: 25}, (_, index) => index + 1),
    )
    expect((await store.getService(record.id))?.reportCount).toBe(25)
  })

  it('removes records and says how many', async () => {
    const store = await open()
    const a = await store.findOrCreateService(share)
    const b = await store.findOrCreateService(scheduler)
    expect(await store.removeServices([a.record.id, b.record.id, 404])).toBe(2)
    expect(await store.removeServices([])).toBe(0)
    expect(await store.listServices()).toEqual([])
  })

  it('filters services by host, binary and topic', async () => {
    const store = await open()
    await store.findOrCreateService(share)
    await store.findOrCreateService(scheduler)
    await store.findOrCreateService({...share, host: 'beta'})
    const hosts = (filter: Parameters<DocumentStore['listServices']>[0]) =>
      store.listServices(filter).then((records) => records.map((record) => `${record.host}/${record.binary}`))
    expect(await hosts({host: 'alpha'})).toEqual(['alpha/steward-share', 'alpha/steward-scheduler'])
    expect(await hosts({topic: 'share'})).toEqual(['alpha/steward-share', 'beta/steward-share'])
    expect(await hosts({host: 'beta', binary: 'steward-share'})).toEqual(['beta/steward-share'])
    expect(await hosts({host: 'gamma'})).toEqual([])
    expect(await hosts({})).toHaveLength(3)
  })

  it('never hands out its own objects', async () => {
    const store = await open()
    const {record} = await store.findOrCreateService(share)
    record.reportCount = 1000
    const listed = await store.listServices()
    listed[0]!.host = 'changed'
    expect(await store.getService(record.id)).toMatchObject({host: 'alpha', reportCount: 0})
  })

  it('keeps plugin collections: put, get, list, update, remove', async () => {
    const store = await open()
    const shares = store.collection('@acme/share-driver', 'exports')
    await shares.put({id: 'a', path: '/srv/a', size: 1})
    await shares.put({id: 'b', path: '/srv/b'})
    await shares.put({id: 'a', path: '/srv/a2'})
    expect(await shares.list()).toEqual([
      {id: 'a', path: '/srv/a2'},
      {id: 'b', path: '/srv/b'},
    ])
    expect(await shares.update('b', {size: 3, id: 'not-b'})).toEqual({id: 'b', path: '/srv/b', size: 3})
    expect(await shares.update('zzz', {size: 3})).toBeUndefined()
    expect(await shares.get('b')).toEqual({id: 'b', path: '/srv/b', size: 3})
    expect(await shares.remove('a')).toBe(true)
    expect(await shares.remove('a')).toBe(false)
    expect(await store.collection('@acme/share-driver', 'other').list()).toEqual([])
    expect(await store.collection('unknown', 'exports').get('a')).toBeUndefined()
  })

  it('stores plugin items as JSON, whatever backend', async () => {
    const store = await open()
    const items = store.collection('plugin', 'items')
    await items.put({id: 'x', when: new Date('2030-01-01T00:00:00.000Z'), gone: undefined, nested: {list: [1, 2]}})
    expect(await items.get('x')).toEqual({id: 'x', when: '2030-01-01T00:00:00.000Z', nested: {list: [1, 2]}})
  })

  it('refuses unsafe plugin and collection names and items without an id', async () => {
    const store = await open()
    expect(() => store.collection('__proto__', 'x')).toThrow(/Invalid plugin name/)
    expect(() => store.collection('plugin', '')).toThrow(/Invalid collection name/)
    await expect(store.collection('plugin', 'x').put({id: ''})).rejects.toThrow(/non-empty string "id"/)
  })

  it('refuses work once closed', async () => {
    const store = await open()
    await store.close()
    await expect(store.listServices()).rejects.toMatchObject({code: 'STORE_UNAVAILABLE'})
    await expect(store.findOrCreateService(share)).rejects.toMatchObject({code: 'STORE_UNAVAILABLE'})
  })
})
