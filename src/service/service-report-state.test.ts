import {afterAll, afterEach, describe, expect, it, vi} from 'vitest'
import {controlledStore, makeHarness, removeTempDirs, type Harness, type HarnessOptions} from '../../test/helpers/service-harness.js'
import {Manager} from '../manager/manager.js'
import type {ServiceRecord} from '../store/types.js'
import {serviceState} from './service-state.js'

/** Readiness a test switches: a value, a promise of one, or a throw. */
let readiness: () => boolean | Promise<boolean> = () => true

class SwitchableManager extends Manager {
  static override rpcApiVersion = '1.0'
  override isServiceReady(): boolean | Promise<boolean> {
    return readiness()
  }
}

let harness: Harness | undefined
afterEach(async () => {
  await harness?.stopAll()
  harness = undefined
  readiness = () => true
  vi.useRealTimers()
})
afterAll(removeTempDirs)

async function started(options: Partial<HarnessOptions> = {}) {
  harness = makeHarness({managers: {share: SwitchableManager}, ...options})
  const service = harness.create({topic: 'share'})
  await service.start()
  const record = async (): Promise<ServiceRecord | undefined> => harness!.store.getService(service.serviceId!)
  return {...harness, service, record}
}

describe('Service.reportState', () => {
  it('skips the heartbeat while the manager is not ready, and resumes when it is', async () => {
    readiness = () => false
    const {service, record, messages} = await started()
    expect(await record()).toMatchObject({reportCount: 0, updatedAt: null})

    await service.reportState()
    expect((await record())!.reportCount).toBe(0)
    // Logged once when heartbeats stop, not on every skipped one.
    expect(messages('error').filter((message) => /not ready/.test(message))).toHaveLength(1)

    readiness = async () => true
    await service.reportState()
    expect(await record()).toMatchObject({reportCount: 1, updatedAt: expect.any(String)})
    expect(messages('info')).toContain('manager is ready: heartbeats resume')
  })

  it('counts an isServiceReady that throws or resolves false as not ready', async () => {
    const {service, record, messages} = await started()
    expect((await record())!.reportCount).toBe(1)

    readiness = () => {
      throw new Error('driver lost')
    }
    await service.reportState()
    expect((await record())!.reportCount).toBe(1)
    expect(messages('warn')).toContain('isServiceReady threw')

    readiness = () => Promise.resolve(false)
    await service.reportState()
    expect((await record())!.reportCount).toBe(1)

    readiness = () => true
    await service.reportState()
    expect((await record())!.reportCount).toBe(2)
  })

  it('survives a store failure: logs it once, then "recovered" once', async () => {
    const controlled = controlledStore()
    const {service, record, messages} = await started({store: controlled.store})
    const failures = () => messages('error').filter((message) => /state store failed/.test(message))
    const recoveries = () => messages('info').filter((message) => /recovered/.test(message))

    controlled.failing.add('reportService')
    await expect(service.reportState()).resolves.toBeUndefined()
    await service.reportState()
    expect(failures()).toHaveLength(1)
    expect(recoveries()).toHaveLength(0)

    controlled.failing.clear()
    await service.reportState()
    await service.reportState()
    expect(recoveries()).toHaveLength(1)
    expect((await record())!.reportCount).toBe(3)

    // A second outage is reported again.
    controlled.failing.add('reportService')
    await service.reportState()
    expect(failures()).toHaveLength(2)
  })

  it('keeps the heartbeat timer running through a store outage', async () => {
    vi.useFakeTimers()
    const controlled = controlledStore()
    const {service, record} = await started({store: controlled.store, flags: {report_interval: 10}})
    expect(service.reportInterval).toBe(10)
    controlled.failing.add('reportService')
    await vi.advanceTimersByTimeAsync(30_000)
    expect(controlled.calls.filter((method) => method === 'reportService')).toHaveLength(4)
    controlled.failing.clear()
    await vi.advanceTimersByTimeAsync(10_000)
    expect((await record())!.reportCount).toBe(2)
  })

  it('recreates a record that vanished, and reports on the new one', async () => {
    const {service, store, messages} = await started()
    const oldId = service.serviceId!
    await store.removeServices([oldId])

    await service.reportState()
    const records = await store.listServices()
    expect(records).toEqual([expect.objectContaining({host: 'test-host', binary: 'steward-share', topic: 'share', reportCount: 1, stoppedAt: null})])
    expect(records[0]!.id).not.toBe(oldId)
    expect(service.serviceId).toBe(records[0]!.id)
    expect(messages('warn')).toContain('service record vanished: recreating it')

    await service.reportState()
    expect((await store.getService(service.serviceId!))!.reportCount).toBe(2)
  })

  it('makes the service read up while heartbeats come, down once they stop for service_down_time', async () => {
    vi.useFakeTimers()
    const {service, record, config} = await started({flags: {report_interval: 10, service_down_time: 30}})
    const downTime = config.options.service_down_time
    const state = async () => serviceState((await record())!, new Date(), downTime)
    await vi.advanceTimersByTimeAsync(100_000)
    expect(await state()).toBe('up')

    readiness = () => false
    await vi.advanceTimersByTimeAsync(30_000)
    expect(await state()).toBe('up')
    await vi.advanceTimersByTimeAsync(10_000)
    expect(await state()).toBe('down')

    await service.stop()
    expect(await state()).toBe('stopped')
  })
})
