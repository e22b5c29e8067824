import os from 'node:os'
import {afterAll, afterEach, describe, expect, it, vi} from 'vitest'
import {
  controlledStore,
  makeHarness,
  makeTempDir,
  rejectionCode,
  removeTempDirs,
  type Harness,
} from '../../test/helpers/service-harness.js'
import {loadConfig} from '../config/load-config.js'
import {StewardError} from '../errors/index.js'
import {Manager} from '../manager/manager.js'
import {createContext} from '../rpc/context.js'
import {openMemoryStore} from '../store/open-store.js'
import {Service} from './service.js'

class PlainManager extends Manager {
  static override rpcApiVersion = '1.0'
}

let harness: Harness | undefined
afterEach(async () => {
  await harness?.stopAll()
  harness = undefined
  vi.useRealTimers()
})
afterAll(removeTempDirs)

function setUp(options: Parameters<typeof makeHarness>[0]): Harness {
  harness = makeHarness(options)
  return harness
}

describe('Service.create', () => {
  it('fills host, binary, manager, service name and intervals from the configuration', () => {
    const {create} = setUp({
      managers: {},
      flags: {host: 'node-7', report_interval: 7, periodic_interval: 11, periodic_fuzzy_delay: 13, cleanup_interval: 1700},
    })
    const service = create({topic: 'share'})
    expect(service).toMatchObject({
      host: 'node-7',
      binary: 'steward-share',
      topic: 'share',
      managerName: 'share',
      serviceName: 'share',
      coordination: false,
      reportInterval: 7,
      periodicInterval: 11,
      periodicFuzzyDelay: 13,
      cleanupInterval: 1700,
    })
  })

  it('uses the documented defaults (10, 60, 60, 1800) when the configuration sets nothing', () => {
    const {hostContext} = setUp({managers: {}})
    const config = loadConfig({cwd: makeTempDir(), env: {}, flags: {}})
    const service = Service.create({...hostContext, config}, {topic: 'share'})
    expect([service.reportInterval, service.periodicInterval, service.periodicFuzzyDelay, service.cleanupInterval]).toEqual([10, 60, 60, 1800])
    expect(service.host).toBe(os.hostname())
  })

  it('takes the topic from the binary, dropping "steward-"', () => {
    const {create} = setUp({managers: {}})
    expect(create({binary: 'steward-scheduler'})).toMatchObject({topic: 'scheduler', binary: 'steward-scheduler', managerName: 'scheduler'})
    expect(create({binary: 'custom'})).toMatchObject({topic: 'custom', binary: 'custom'})
  })

  it('takes the manager from <topic>.manager, then the topic; an explicit one wins', () => {
    const {create} = setUp({managers: {}, env: {STEWARD_SHARE__MANAGER: 'generic', STEWARD_SHARE__COORDINATION: 'true'}})
    expect(create({topic: 'share'})).toMatchObject({managerName: 'generic', coordination: true})
    expect(create({topic: 'share', manager: 'lvm', coordination: false})).toMatchObject({managerName: 'lvm', coordination: false})
    expect(create({topic: 'backup'}).managerName).toBe('backup')
  })

  it('keeps an explicit 0 rather than falling back to the configuration', () => {
    const {create} = setUp({managers: {}, flags: {report_interval: 5, periodic_interval: 5, periodic_fuzzy_delay: 5, cleanup_interval: 500}})
    const service = create({topic: 'share', reportInterval: 0, periodicInterval: 0, periodicFuzzyDelay: 0, cleanupInterval: 0})
    expect([service.reportInterval, service.periodicInterval, service.periodicFuzzyDelay, service.cleanupInterval]).toEqual([0, 0, 0, 0])
  })

  it('refuses a service with neither topic nor binary', () => {
    const {create} = setUp({managers: {}})
    expect(() => create({})).toThrow(expect.objectContaining({code: 'TOPIC_NOT_CONFIGURED'}))
    expect(() => create({binary: 'steward-'})).toThrow(expect.objectContaining({code: 'TOPIC_NOT_CONFIGURED'}))
  })

  it('refuses the topic every host answers on itself', () => {
    const {create} = setUp({managers: {}})
    expect(() => create({topic: 'host'})).toThrow(expect.objectContaining({code: 'CONFIG_INVALID', message: expect.stringMatching(/"host" is the topic every host answers on itself/) as string}))
  })
})

describe('Service.start', () => {
  it('runs record → initHost (no RPC yet) → listen → initHostWithRpc(id) → first heartbeat', async () => {
    const calls: string[] = []
    const controlled = controlledStore(undefined, (method) => {
      if (method === 'findOrCreateService' || method === 'reportService') calls.push(`store.${method}`)
    })
    class OrderManager extends Manager {
      static override rpcApiVersion = '1.0'
      static override rpcMethods = ['ping']
      override async initHost(serviceId: number): Promise<void> {
        calls.push(`initHost ${serviceId}`)
        calls.push(`rpc in initHost: ${await rpcOutcome(this.context.rpc.prepare({topic: 'share'}).call(createContext('test'), 'ping'))}`)
      }
      override async initHostWithRpc(serviceId: number): Promise<void> {
        calls.push(`initHostWithRpc ${serviceId}`)
        calls.push(`rpc in initHostWithRpc: ${await rpcOutcome(this.context.rpc.prepare({topic: 'share', server: 'test-host'}).call(createContext('test'), 'ping'))}`)
      }
      override isServiceReady(): boolean {
        calls.push('isServiceReady')
        return true
      }
      ping(): string {
        return 'pong'
      }
    }
    const {create, store} = setUp({managers: {share: OrderManager}, store: controlled.store})
    const service = create({topic: 'share'})
    await service.start()

    const [record] = await store.listServices()
    expect(calls).toEqual([
      'store.findOrCreateService',
      `initHost ${record!.id}`,
      'rpc in initHost: NO_SERVICE_AVAILABLE',
      `initHostWithRpc ${record!.id}`,
      'rpc in initHostWithRpc: pong',
      'isServiceReady',
      'store.reportService',
    ])
    expect(service.serviceId).toBe(record!.id)
    expect(service.state).toBe('running')
    expect(record).toMatchObject({host: 'test-host', binary: 'steward-share', topic: 'share', zone: 'nova', disabled: false, reportCount: 1, stoppedAt: null})
    expect(record!.updatedAt).not.toBeNull()
  })

  it('records a new service disabled when enable_new_services is false', async () => {
    const {create, store} = setUp({managers: {share: PlainManager}, flags: {enable_new_services: false}})
    await create({topic: 'share'}).start()
    expect(await store.listServices()).toEqual([expect.objectContaining({binary: 'steward-share', disabled: true, disabledReason: null})])
  })

  it('reuses an existing record: its disabled flag stays, its stoppedAt is cleared', async () => {
    const store = openMemoryStore()
    const {record: old} = await store.findOrCreateService({host: 'test-host', binary: 'steward-share', topic: 'share', zone: 'nova', disabled: true})
    await store.updateService(old.id, {disabledReason: 'maintenance', stoppedAt: '2020-01-01T00:00:00.000Z', reportCount: 41})
    const {create} = setUp({managers: {share: PlainManager}, store, flags: {enable_new_services: true}})
    const service = create({topic: 'share'})
    await service.start()
    expect(service.serviceId).toBe(old.id)
    expect(await store.listServices()).toEqual([expect.objectContaining({id: old.id, disabled: true, disabledReason: 'maintenance', stoppedAt: null, reportCount: 42})])
  })

  it('starts no timer when every interval is 0, and heartbeats first after report_interval otherwise', async () => {
    vi.useFakeTimers()
    const {create, store} = setUp({managers: {share: PlainManager}})
    const off = create({topic: 'share'})
    await off.start()
    expect(vi.getTimerCount()).toBe(0)

    const on = create({topic: 'other', manager: 'share', reportInterval: 10})
    await on.start()
    const count = async () => (await store.getService(on.serviceId!))!.reportCount
    expect(await count()).toBe(1)
    await vi.advanceTimersByTimeAsync(9_999)
    expect(await count()).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(await count()).toBe(2)
    await vi.advanceTimersByTimeAsync(20_000)
    expect(await count()).toBe(4)
  })

  it('keeps the code of a steward error from the manager, and wraps others as HOST_START_FAILED', async () => {
    class DriverlessManager extends Manager {
      static override rpcApiVersion = '1.0'
      override async initHost(): Promise<void> {
        throw new StewardError('DRIVER_NOT_FOUND', 'no driver')
      }
    }
    class BrokenManager extends Manager {
      static override rpcApiVersion = '1.0'
      override async initHostWithRpc(): Promise<void> {
        throw new TypeError('boom')
      }
    }
    const {create, rpc} = setUp({managers: {driverless: DriverlessManager, broken: BrokenManager}})
    const first = create({topic: 'driverless'})
    const failure = await first.start().catch((error: unknown) => error as StewardError)
    expect(failure).toMatchObject({code: 'DRIVER_NOT_FOUND', data: expect.objectContaining({host: 'test-host', binary: 'steward-driverless'})})
    expect(failure!.message).toMatch(/steward-driverless on test-host failed to start: .*no driver/)
    expect(first.state).toBe('stopped')

    const second = create({topic: 'broken'})
    expect(await rejectionCode(second.start())).toBe('HOST_START_FAILED')
    expect(second.state).toBe('stopped')
    // It listened before initHostWithRpc failed; a failed start stops listening again.
    expect(await rejectionCode(rpc.prepare({topic: 'broken'}).call(createContext('test'), 'serviceVersion'))).toBe('NO_SERVICE_AVAILABLE')
    await expect(second.wait()).resolves.toBeUndefined()
  })

  it('fails with MANAGER_NOT_FOUND or MANAGER_RPC_VERSION_MISSING before running plugin code', async () => {
    class Versionless extends Manager {}
    const {create} = setUp({managers: {versionless: Versionless as never}})
    expect(await rejectionCode(create({topic: 'missing'}).start())).toBe('MANAGER_NOT_FOUND')
    expect(await rejectionCode(create({topic: 'versionless'}).start())).toBe('MANAGER_RPC_VERSION_MISSING')
  })

  it('ignores a second start()', async () => {
    let inits = 0
    class CountingManager extends PlainManager {
      override async initHost(): Promise<void> {
        inits++
      }
    }
    const {create, store} = setUp({managers: {share: CountingManager}})
    const service = create({topic: 'share'})
    await service.start()
    await service.start()
    expect(inits).toBe(1)
    expect(await store.listServices()).toHaveLength(1)
  })
})

async function rpcOutcome(promise: Promise<unknown>): Promise<string> {
  try {
    return String(await promise)
  } catch (error) {
    return (error as {code?: string}).code ?? String(error)
  }
}
