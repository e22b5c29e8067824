import {describe, expect, it} from 'vitest'
import {rejectionCode} from '../../test/helpers/service-harness.js'
import {openMemoryStore} from '../store/open-store.js'
import type {StateStore} from '../store/types.js'
import {disableService, enableService, findService, MAX_REASON_LENGTH, removeService} from './service-admin.js'

async function storeWithShare(): Promise<{store: StateStore; id: number}> {
  const store = openMemoryStore()
  const {record} = await store.findOrCreateService({host: 'h1', binary: 'steward-share', topic: 'share', zone: 'nova', disabled: false})
  await store.findOrCreateService({host: 'h2', binary: 'steward-share', topic: 'share', zone: 'nova', disabled: false})
  return {store, id: record.id}
}

describe('service admin', () => {
  it('disables with a reason, stripped, and only the named record', async () => {
    const {store, id} = await storeWithShare()
    const updated = await disableService(store, 'h1', 'steward-share', '  disk replacement \n')
    expect(updated).toMatchObject({id, disabled: true, disabledReason: 'disk replacement'})
    expect(await store.getService(id)).toMatchObject({disabled: true, disabledReason: 'disk replacement'})
    expect(await store.listServices({host: 'h2'})).toEqual([expect.objectContaining({disabled: false, disabledReason: null})])
  })

  it('disables without a reason', async () => {
    const {store, id} = await storeWithShare()
    await disableService(store, 'h1', 'steward-share')
    expect(await store.getService(id)).toMatchObject({disabled: true, disabledReason: null})
  })

  it('accepts reasons of 1 and 255 characters, refuses empty, blank and 256 with SERVICE_REASON_INVALID', async () => {
    const {store, id} = await storeWithShare()
    expect(MAX_REASON_LENGTH).toBe(255)
    expect((await disableService(store, 'h1', 'steward-share', 'x')).disabledReason).toBe('x')
    expect((await disableService(store, 'h1', 'steward-share', 'y'.repeat(255))).disabledReason).toHaveLength(255)
    // Length counts after stripping.
    expect((await disableService(store, 'h1', 'steward-share', ` ${'z'.repeat(255)} `)).disabledReason).toHaveLength(255)
    for (const reason of ['', '   ', 'w'.repeat(256)]) {
      expect(await rejectionCode(disableService(store, 'h1', 'steward-share', reason))).toBe('SERVICE_REASON_INVALID')
    }
    // A refused reason changes nothing.
    expect((await store.getService(id))!.disabledReason).toHaveLength(255)
  })

  it('enables and clears the reason', async () => {
    const {store, id} = await storeWithShare()
    await disableService(store, 'h1', 'steward-share', 'maintenance')
    expect(await enableService(store, 'h1', 'steward-share')).toMatchObject({id, disabled: false, disabledReason: null})
    expect(await store.getService(id)).toMatchObject({disabled: false, disabledReason: null})
  })

  it('does not touch the heartbeat, so disabling a dead service does not make it look up', async () => {
    const {store, id} = await storeWithShare()
    const before = await store.reportService(id, new Date('2020-01-01T00:00:00.000Z'))
    await disableService(store, 'h1', 'steward-share', 'dead')
    await enableService(store, 'h1', 'steward-share')
    expect(await store.getService(id)).toMatchObject({updatedAt: '2020-01-01T00:00:00.000Z', reportCount: before!.reportCount})
  })

  it('fails with SERVICE_NOT_FOUND for an unknown host or binary', async () => {
    const {store} = await storeWithShare()
    expect(await rejectionCode(disableService(store, 'h3', 'steward-share', 'why'))).toBe('SERVICE_NOT_FOUND')
    expect(await rejectionCode(enableService(store, 'h1', 'steward-backup'))).toBe('SERVICE_NOT_FOUND')
    expect(await rejectionCode(removeService(store, 'nobody', 'steward-share'))).toBe('SERVICE_NOT_FOUND')
    const error = await findService(store, 'h3', 'steward-share').catch((failure: unknown) => failure)
    expect(error).toMatchObject({code: 'SERVICE_NOT_FOUND', data: {host: 'h3', binary: 'steward-share'}})
  })

  it('removes the named record', async () => {
    const {store, id} = await storeWithShare()
    expect((await removeService(store, 'h1', 'steward-share')).id).toBe(id)
    expect((await store.listServices()).map((record) => record.host)).toEqual(['h2'])
  })
})
