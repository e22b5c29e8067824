import {afterAll, afterEach, describe, expect, it, vi} from 'vitest'
import {captureLog, makeHarness, removeTempDirs, type Harness} from '../../test/helpers/service-harness.js'
import {LocalDispatcher} from '../rpc/local-dispatcher.js'
import {createContext, type PrepareOptions, type RequestContext, type RpcClient} from '../rpc/context.js'
import {openMemoryStore} from '../store/open-store.js'
import {Manager, type ManagerContext} from './manager.js'
import {SCHEDULER_TOPIC, SchedulerDependentManager} from './scheduler-dependent-manager.js'

const NOW = new Date('2031-02-03T04:05:06.789Z')

class ShareManager extends SchedulerDependentManager {
  static override rpcApiVersion = '1.30'
}

function unitManager() {
  const casts: Array<[RequestContext, PrepareOptions, string, Record<string, unknown> | undefined]> = []
  const rpc: RpcClient = {
    prepare: (target) => ({
      call: () => Promise.reject(new Error('no calls expected')),
      cast: async (ctx, method, args) => {
        casts.push([ctx, target, method, args])
      },
      canSendVersion: () => true,
    }),
  }
  const captured = captureLog()
  const context: ManagerContext = {
    host: 'h1@lvm',
    serviceName: 'share',
    config: {},
    log: captured.log,
    rpc,
    pluginVersion: '1.0.0',
    collection: () => openMemoryStore().collection('p', 'c'),
    loadDriver: () => Promise.reject(new Error('no driver')),
    synchronized: async (_name, fn) => fn(),
    services: async () => [],
  }
  return {manager: new ShareManager(context), casts, ...captured}
}

afterEach(() => {
  vi.useRealTimers()
})

describe('SchedulerDependentManager', () => {
  it.each([
    ['never set', undefined],
    ['None', null],
    ['an empty object', {}],
    ['an empty list', []],
    ['an empty string', ''],
  ])('sends nothing while the capabilities are %s', async (_label, capabilities) => {
    const {manager, casts, messages} = unitManager()
    if (capabilities !== undefined) manager.updateServiceCapabilities(capabilities)
    await manager.publishServiceCapabilities(createContext('test'))
    expect(casts).toEqual([])
    expect(messages('debug')).toEqual([])
  })

  it.each([
    ['an object', {pools: [{name: 'p1', free: 10}]}],
    ['a list', ['pool']],
    ['a string', 'caps'],
    ['a number', 1],
  ])('fans %s out to the schedulers in exactly one cast', async (_label, capabilities) => {
    vi.useFakeTimers({now: NOW})
    const {manager, casts, messages} = unitManager()
    manager.updateServiceCapabilities(capabilities)
    const ctx = createContext('test')
    await manager.publishServiceCapabilities(ctx)
    expect(casts).toEqual([[ctx, {topic: SCHEDULER_TOPIC, fanout: true}, 'updateServiceCapabilities', {serviceName: 'share', host: 'h1@lvm', capabilities, timestamp: NOW.toISOString()}]])
    expect(SCHEDULER_TOPIC).toBe('scheduler')
    expect(messages('debug')).toHaveLength(1)
  })

  it('makes its own context when called without one', async () => {
    const {manager, casts} = unitManager()
    manager.updateServiceCapabilities({a: 1})
    await manager.publishServiceCapabilities()
    expect(casts[0]![0]).toMatchObject({caller: 'h1@lvm', requestId: expect.stringMatching(/^req-/)})
  })

  it('stores any value verbatim, falsy ones included', () => {
    const {manager} = unitManager()
    const object = {nested: {deep: true}}
    manager.updateServiceCapabilities(object)
    expect(manager.lastCapabilities).toBe(object)
    for (const value of [null, 0, false, '', [], {}]) {
      manager.updateServiceCapabilities(value)
      expect(manager.lastCapabilities).toBe(value)
    }
  })

  it('declares the publishing task every 60 s and publishServiceCapabilities as RPC', () => {
    expect(SchedulerDependentManager.periodicTasks).toEqual({publishServiceCapabilities: {spacing: 60}})
    expect(SchedulerDependentManager.rpcMethods).toEqual(['publishServiceCapabilities'])
  })
})

describe('capability reports between two services', () => {
  const reports: Array<{receiver: string; ctx: RequestContext; args: Record<string, unknown>}> = []

  class ReportingShareManager extends SchedulerDependentManager {
    static override rpcApiVersion = '1.30'
    override async initHost(): Promise<void> {
      this.updateServiceCapabilities({pools: ['fast', 'slow'], free: 42})
    }
  }

  class SchedulerManager extends Manager {
    static override rpcApiVersion = '1.11'
    static override rpcMethods = ['updateServiceCapabilities']
    updateServiceCapabilities(ctx: RequestContext, args: Record<string, unknown>): void {
      reports.push({receiver: this.host, ctx, args})
    }
  }

  const harnesses: Harness[] = []
  afterEach(async () => {
    for (const harness of harnesses.splice(0)) await harness.stopAll()
    reports.length = 0
  })
  afterAll(removeTempDirs)

  it('reach every scheduler of the same dispatcher, from the periodic task and on request', async () => {
    vi.useFakeTimers({now: NOW})
    const dispatcher = new LocalDispatcher()
    const store = openMemoryStore()
    const managers = {share: ReportingShareManager, scheduler: SchedulerManager}
    const share = makeHarness({managers, dispatcher, store})
    const schedulers = makeHarness({managers, dispatcher, store})
    harnesses.push(share, schedulers)
    await schedulers.create({topic: 'scheduler', host: 'sched-1'}).start()
    await schedulers.create({topic: 'scheduler', host: 'sched-2'}).start()
    await share.create({topic: 'share', host: 'h1@lvm', periodicInterval: 60}).start()

    await vi.advanceTimersByTimeAsync(59_000)
    expect(reports).toEqual([])
    await vi.advanceTimersByTimeAsync(1_000)
    const expected = {serviceName: 'share', host: 'h1@lvm', capabilities: {pools: ['fast', 'slow'], free: 42}, timestamp: new Date(NOW.getTime() + 60_000).toISOString()}
    expect(reports.map(({receiver, args}) => ({receiver, args})).sort((a, b) => a.receiver.localeCompare(b.receiver))).toEqual([
      {receiver: 'sched-1', args: expected},
      {receiver: 'sched-2', args: expected},
    ])

    reports.length = 0
    await share.rpc.prepare({topic: 'share'}).call(createContext('operator'), 'publishServiceCapabilities')
    expect(reports.map((report) => report.receiver).sort()).toEqual(['sched-1', 'sched-2'])
    expect(reports[0]!.ctx.caller).toBe('operator')
  })
})
