import {afterAll, afterEach, describe, expect, it, vi} from 'vitest'
import {deferred, makeHarness, rejectionCode, removeTempDirs, type Deferred, type Harness, type HarnessOptions} from '../../test/helpers/service-harness.js'
import {Manager} from '../manager/manager.js'
import type {PeriodicTaskRun} from '../manager/periodic-tasks.js'
import {createContext} from '../rpc/context.js'
import {cleanupStoppedServices} from './cleanup-services.js'
import type {Service} from './service.js'

/** What the slow manager of the current test waits on and reports. */
interface Gates {
  callEntered: Deferred<void>
  callRelease: Deferred<string>
  taskEntered: Deferred<void>
  taskRelease: Deferred<void>
  initRelease: Deferred<void> | undefined
  taskSignal: AbortSignal | undefined
  events: string[]
}

let gates: Gates

function freshGates(): Gates {
  return {callEntered: deferred(), callRelease: deferred<string>(), taskEntered: deferred(), taskRelease: deferred(), initRelease: undefined, taskSignal: undefined, events: []}
}

class SlowManager extends Manager {
  static override rpcApiVersion = '1.0'
  static override rpcMethods = ['slow']
  static override periodicTasks = {work: {spacing: 60, runImmediately: true}}

  override async initHost(): Promise<void> {
    if (gates.initRelease === undefined) return
    await gates.initRelease.promise
    gates.events.push('initHost finished')
  }

  async slow(): Promise<string> {
    gates.callEntered.resolve()
    const reply = await gates.callRelease.promise
    gates.events.push('call finished')
    return reply
  }

  async work(_ctx: unknown, run: PeriodicTaskRun): Promise<void> {
    gates.taskSignal = run.signal
    gates.taskEntered.resolve()
    await gates.taskRelease.promise
    gates.events.push('task finished')
  }

  override async cleanupHost(): Promise<void> {
    gates.events.push('cleanupHost')
  }
}

let harness: Harness | undefined
afterEach(async () => {
  // Let anything a test left waiting finish, so no service outlives it.
  gates.callRelease.resolve('late')
  gates.taskRelease.resolve()
  gates.initRelease?.resolve()
  await harness?.stopAll()
  harness = undefined
  vi.useRealTimers()
})
afterAll(removeTempDirs)

async function startSlow(options: Partial<HarnessOptions> = {}, periodic = false): Promise<Harness & {service: Service}> {
  gates = freshGates()
  vi.useFakeTimers()
  harness = makeHarness({managers: {share: SlowManager}, ...options})
  const service = harness.create({topic: 'share', periodicInterval: periodic ? 60 : 0})
  await service.start()
  return {...harness, service}
}

/** Track a promise's settling without awaiting it. */
function track(promise: Promise<unknown>): {settled: () => boolean} {
  let settled = false
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  )
  return {settled: () => settled}
}

const stoppedAt = async (harness: Harness, service: Service) => (await harness.store.getService(service.serviceId!))!.stoppedAt

describe('Service.stop', () => {
  it('graceful: waits for an in-flight call before recording the stop, and takes no new calls', async () => {
    const h = await startSlow()
    const reply = h.rpc.prepare({topic: 'share'}).call(createContext('test'), 'slow')
    await gates.callEntered.promise

    const stopping = track(h.service.stop())
    await vi.advanceTimersByTimeAsync(30_000)
    expect(stopping.settled()).toBe(false)
    expect(h.service.state).toBe('stopping')
    expect(await stoppedAt(h, h.service)).toBeNull()
    expect(await rejectionCode(h.rpc.prepare({topic: 'share'}).call(createContext('test'), 'slow'))).toBe('NO_SERVICE_AVAILABLE')

    gates.callRelease.resolve('done')
    await h.service.wait()
    expect(await reply).toBe('done')
    expect(gates.events).toEqual(['call finished', 'cleanupHost'])
    expect(await stoppedAt(h, h.service)).not.toBeNull()
    expect(h.service.state).toBe('stopped')
  })

  it('graceful: waits for a running periodic task, without aborting it', async () => {
    const h = await startSlow({}, true)
    await vi.advanceTimersByTimeAsync(0)
    await gates.taskEntered.promise

    const stopping = track(h.service.stop())
    await vi.advanceTimersByTimeAsync(30_000)
    expect(stopping.settled()).toBe(false)
    expect(await stoppedAt(h, h.service)).toBeNull()

    gates.taskRelease.resolve()
    await h.service.wait()
    expect(gates.events).toEqual(['task finished', 'cleanupHost'])
    expect(gates.taskSignal!.aborted).toBe(false)
    expect(await stoppedAt(h, h.service)).not.toBeNull()
  })

  it('non-graceful: records the stop at once, aborting the running task', async () => {
    const h = await startSlow({}, true)
    await vi.advanceTimersByTimeAsync(0)
    await gates.taskEntered.promise
    void h.rpc.prepare({topic: 'share'}).call(createContext('test'), 'slow')
    await gates.callEntered.promise

    await h.service.stop({graceful: false})
    expect(h.service.state).toBe('stopped')
    expect(await stoppedAt(h, h.service)).not.toBeNull()
    expect(gates.events).toEqual(['cleanupHost'])
    expect(gates.taskSignal!.aborted).toBe(true)
    expect(h.messages('warn')).toContain('stopped before in-flight work finished')
  })

  it('graceful: gives up after graceful_shutdown_timeout, counting calls and tasks together', async () => {
    const h = await startSlow({flags: {graceful_shutdown_timeout: 5}}, true)
    await vi.advanceTimersByTimeAsync(0)
    await gates.taskEntered.promise
    void h.rpc.prepare({topic: 'share'}).call(createContext('test'), 'slow')
    await gates.callEntered.promise

    const stopping = track(h.service.stop())
    await vi.advanceTimersByTimeAsync(4_000)
    expect(stopping.settled()).toBe(false)
    // One timeout for both, not one after the other.
    await vi.advanceTimersByTimeAsync(1_100)
    expect(stopping.settled()).toBe(true)
    expect(await stoppedAt(h, h.service)).not.toBeNull()
    expect(gates.taskSignal!.aborted).toBe(true)
    expect(h.messages('warn')).toContain('stopped before in-flight work finished')
  })

  it('wait() resolves only once the service has stopped', async () => {
    const h = await startSlow({flags: {report_interval: 10}})
    const waiting = track(h.service.wait())
    await vi.advanceTimersByTimeAsync(120_000)
    expect(waiting.settled()).toBe(false)
    await h.service.stop()
    await vi.advanceTimersByTimeAsync(0)
    expect(waiting.settled()).toBe(true)
    // Its timers are gone: no heartbeat comes after the stop.
    expect(vi.getTimerCount()).toBe(0)
  })

  it('returns the same promise to a second stop(), and records the stop once', async () => {
    const h = await startSlow()
    void h.rpc.prepare({topic: 'share'}).call(createContext('test'), 'slow')
    await gates.callEntered.promise
    const first = h.service.stop()
    expect(h.service.stop({graceful: false})).toBe(first)
    gates.callRelease.resolve('done')
    await first
    const recorded = await stoppedAt(h, h.service)
    await vi.advanceTimersByTimeAsync(5_000)
    await h.service.stop()
    expect(await stoppedAt(h, h.service)).toBe(recorded)
    expect(gates.events.filter((event) => event === 'cleanupHost')).toHaveLength(1)
  })

  it('does nothing for a service that never started', async () => {
    gates = freshGates()
    harness = makeHarness({managers: {share: SlowManager}})
    const service = harness.create({topic: 'share'})
    await service.stop()
    expect(service.state).toBe('created')
    expect(await harness.store.listServices()).toEqual([])
  })

  it('kill() stops the service and deletes its record', async () => {
    const h = await startSlow()
    await h.service.kill()
    expect(h.service.state).toBe('stopped')
    expect(await h.store.listServices()).toEqual([])
    expect(gates.events).toEqual(['cleanupHost'])
    expect(await rejectionCode(h.rpc.prepare({topic: 'share'}).call(createContext('test'), 'serviceVersion'))).toBe('NO_SERVICE_AVAILABLE')
  })

  it('graceful stop() during initHost lets it finish, then stops: not listening, no timers, recorded stopped', async () => {
    const {service, starting} = await startingSlow()
    const stopping = track(service.stop())
    await vi.advanceTimersByTimeAsync(10_000)
    expect(stopping.settled()).toBe(false)
    expect(gates.events).toEqual([])

    gates.initRelease!.resolve()
    await starting
    await service.wait()
    await expectStoppedForGood(service)
    expect(gates.events).toEqual(['initHost finished', 'cleanupHost'])
  })

  it('non-graceful stop() during initHost returns at once; the start then goes no further', async () => {
    const {service, starting} = await startingSlow()
    await service.stop({graceful: false})
    expect(service.state).toBe('stopped')
    expect((await harness!.store.getService(service.serviceId!))!.stoppedAt).not.toBeNull()

    gates.initRelease!.resolve()
    await starting
    await expectStoppedForGood(service)
  })
})

/** A service whose start waits in initHost until gates.initRelease is resolved. */
async function startingSlow(): Promise<{service: Service; starting: Promise<void>}> {
  gates = freshGates()
  gates.initRelease = deferred()
  vi.useFakeTimers()
  harness = makeHarness({managers: {share: SlowManager}, flags: {report_interval: 10, cleanup_interval: 300}})
  const service = harness.create({topic: 'share', periodicInterval: 60})
  const starting = service.start()
  await vi.advanceTimersByTimeAsync(0)
  expect(service.state).toBe('starting')
  return {service, starting}
}

async function expectStoppedForGood(service: Service): Promise<void> {
  await vi.advanceTimersByTimeAsync(120_000)
  expect(service.state).toBe('stopped')
  expect(vi.getTimerCount()).toBe(0)
  expect(await rejectionCode(harness!.rpc.prepare({topic: 'share'}).call(createContext('test'), 'serviceVersion'))).toBe('NO_SERVICE_AVAILABLE')
  const record = await harness!.store.getService(service.serviceId!)
  expect(record!.stoppedAt).not.toBeNull()
  // No heartbeat after the stop: the one at start was skipped, none came from a timer.
  expect(record!.reportCount).toBe(0)
}

describe('stop and clean-up together', () => {
  it('a clean stop moves updatedAt with stoppedAt, so clean-up keeps the record for service_down_time', async () => {
    const h = await startSlow()
    await h.service.stop({graceful: false})
    const record = (await h.store.getService(h.service.serviceId!))!
    expect(record.updatedAt).toBe(record.stoppedAt)
    const soon = new Date(Date.parse(record.stoppedAt!) + 1000)
    expect(await cleanupStoppedServices(h.store, {topic: 'share', now: soon, downTimeSeconds: 60})).toEqual([])
    const later = new Date(Date.parse(record.stoppedAt!) + 61_000)
    expect(await cleanupStoppedServices(h.store, {topic: 'share', now: later, downTimeSeconds: 60})).toHaveLength(1)
  })
})

describe('a start that fails', () => {
  it('lets the manager release what initHost opened', async () => {
    const events: string[] = []
    class FailingLate extends Manager {
      static override rpcApiVersion = '1.0'
      override async initHost(): Promise<void> {
        events.push('initHost')
      }
      override async initHostWithRpc(): Promise<void> {
        throw new Error('backend refused')
      }
      override async cleanupHost(): Promise<void> {
        events.push('cleanupHost')
      }
    }
    gates = freshGates()
    harness = makeHarness({managers: {share: FailingLate}})
    const service = harness.create({topic: 'share', periodicInterval: 0})
    expect(await rejectionCode(service.start())).toBe('HOST_START_FAILED')
    expect(events).toEqual(['initHost', 'cleanupHost'])
    expect(service.state).toBe('stopped')
  })
})
