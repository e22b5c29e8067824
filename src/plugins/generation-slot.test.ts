import {afterEach, describe, expect, it} from 'vitest'
import {captureLog} from '../../test/helpers/service-harness.js'
import {StewardError} from '../errors/index.js'
import {createContext} from '../rpc/context.js'
import type {Generation, GenerationDetails, GenerationFactory, GenerationSpec} from './generation.js'
import {GenerationSlot, type GenerationSlotOptions} from './generation-slot.js'

/** A generation whose answers the test controls. */
class FakeGeneration implements Generation {
  readonly contract = {rpcApiVersion: '1.0', rpcMethods: ['work'], plugin: {name: 'fake', version: '1.0.0'}, pluginDirs: ['/plugins/fake']}
  readonly calls: string[] = []
  ended = false
  cleanedUp = false
  hung = false
  private exitListener: ((error: Error) => void) | undefined
  private readonly held: Array<() => void> = []

  constructor(readonly number: number) {}

  async initHost(): Promise<void> {}
  async initHostWithRpc(): Promise<void> {}
  isServiceReady(timeoutMs: number): Promise<boolean> {
    if (!this.hung) return Promise.resolve(true)
    return Promise.reject(new StewardError('GENERATION_UNRESPONSIVE', `no answer within ${timeoutMs} ms`))
  }
  dispatch(_ctx: unknown, method: string, args: Record<string, unknown>): Promise<unknown> {
    this.calls.push(method)
    if (args.hold === true) return new Promise((resolve) => this.held.push(() => resolve(`held by ${this.number}`)))
    return Promise.resolve(`answered by ${this.number}`)
  }
  async runPeriodicTasks(): Promise<number> {
    return 60
  }
  async details(): Promise<GenerationDetails> {
    return {periodicTasks: [], drivers: [], capabilities: null}
  }
  async stopPeriodicTasks(): Promise<boolean> {
    return true
  }
  async cleanupHost(): Promise<void> {
    this.cleanedUp = true
  }
  async end(): Promise<void> {
    this.ended = true
  }
  onExit(listener: (error: Error) => void): void {
    this.exitListener = listener
  }
  /** Let the held calls answer. */
  release(): void {
    for (const resolve of this.held.splice(0)) resolve()
  }
  crash(message = 'worker died'): void {
    this.exitListener?.(new Error(message))
  }
}

/** Starts FakeGenerations, or fails the numbers it is told to. */
class FakeFactory implements GenerationFactory {
  readonly started: FakeGeneration[] = []
  readonly failing = new Set<number>()
  private gate: Promise<void> | undefined

  /** Hold the next starts until the returned function is called. */
  hold(): () => void {
    let open!: () => void
    this.gate = new Promise((resolve) => (open = resolve))
    return () => {
      this.gate = undefined
      open()
    }
  }

  async start(spec: GenerationSpec): Promise<Generation> {
    await this.gate
    if (this.failing.has(spec.number)) throw new StewardError('PLUGIN_LOAD_FAILED', `generation ${spec.number} has a syntax error at label.ts:4:0`)
    const generation = new FakeGeneration(spec.number)
    this.started.push(generation)
    return generation
  }

  async close(): Promise<void> {}
}

const slots: GenerationSlot[] = []
afterEach(async () => {
  await Promise.all(slots.splice(0).map((slot) => slot.stop({graceful: false, deadline: Date.now()})))
})

async function startSlot(restart: GenerationSlotOptions['restart'] = {}): Promise<{slot: GenerationSlot; factory: FakeFactory; log: ReturnType<typeof captureLog>}> {
  const factory = new FakeFactory()
  const log = captureLog()
  const slot = new GenerationSlot({
    factory,
    spec: (number) => ({number, managerName: 'fake', topic: 'fake', host: 'h', serviceName: 'fake', log: log.log, synchronized: async (_name, fn) => fn()}),
    log: log.log,
    readyTimeoutMs: 100,
    drainTimeoutMs: () => 0,
    restart: {baseDelayMs: 1, maxDelayMs: 8, stableAfterMs: 60_000, maxUnstableStarts: 3, ...restart},
  })
  slots.push(slot)
  await slot.start()
  await slot.initHost(7)
  await slot.initHostWithRpc()
  return {slot, factory, log}
}

const call = (slot: GenerationSlot, args: Record<string, unknown> = {}): Promise<unknown> => slot.dispatch(createContext('test'), 'work', args)

describe('GenerationSlot', () => {
  it('swaps in a reloaded generation, lets the old one finish its calls, then ends it', async () => {
    const {slot, factory} = await startSlot()
    const [first] = factory.started
    const held = call(slot, {hold: true})
    const record = await slot.reload('label.ts')
    expect(record).toMatchObject({trigger: 'label.ts', generation: 2, ok: true})
    expect(await call(slot)).toBe('answered by 2')
    expect(first!.ended).toBe(false)
    first!.release()
    expect(await held).toBe('held by 1')
    await slot.stop({graceful: true, deadline: Number.POSITIVE_INFINITY})
    expect(first!.cleanedUp && first!.ended).toBe(true)
    expect(slot.status()).toMatchObject({state: 'stopped', reloads: 1})
  })

  it('keeps the serving generation when the next fails to load, and says why', async () => {
    const {slot, factory, log} = await startSlot()
    factory.failing.add(2)
    const record = await slot.reload('label.ts')
    expect(record).toMatchObject({ok: false, code: 'PLUGIN_LOAD_FAILED', error: expect.stringMatching(/label\.ts:4:0/) as string})
    expect(await call(slot)).toBe('answered by 1')
    expect(log.messages('error')).toEqual([expect.stringMatching(/^reload failed \(label\.ts\): .*label\.ts:4:0.*; generation 1 keeps serving$/)])
    expect((await slot.reload('label.ts')).ok).toBe(true)
    expect(await call(slot)).toBe('answered by 3')
  })

  it('holds the calls that arrive while a dead generation is replaced, and serves them from the next', async () => {
    const {slot, factory} = await startSlot()
    const open = factory.hold()
    factory.started[0]!.crash()
    expect(slot.status().state).toBe('restarting')
    const waiting = [call(slot), call(slot)]
    open()
    expect(await Promise.all(waiting)).toEqual(['answered by 2', 'answered by 2'])
    expect(slot.status()).toMatchObject({state: 'serving', generation: 2})
  })

  it('replaces a hung generation found by the readiness ping', async () => {
    const {slot, factory} = await startSlot()
    factory.started[0]!.hung = true
    expect(await slot.isReady()).toBe(false)
    expect(factory.started[0]!.ended).toBe(true)
    expect(await call(slot)).toBe('answered by 2')
    expect(await slot.isReady()).toBe(true)
  })

  it('marks the service errored after repeated unstable starts, fails calls fast, and a reload brings it back', async () => {
    const {slot, factory, log} = await startSlot()
    for (let index = 0; index < 3; index++) {
      factory.started.at(-1)!.crash(`crash ${index + 1}`)
      // A call made now waits for the replacement.
      if (index < 2) expect(await call(slot)).toBe(`answered by ${index + 2}`)
    }
    expect(slot.status().state).toBe('errored')
    expect(log.messages('error').filter((message) => /replacing it in (\d+) ms/.test(message)).map((message) => /in (\d+) ms/.exec(message)![1])).toEqual(['1', '2'])
    await expect(call(slot)).rejects.toMatchObject({code: 'GENERATION_FAILED'})
    expect((await slot.reload('fixed.ts')).ok).toBe(true)
    expect(await call(slot)).toBe('answered by 4')
  })

  it('ends a generation that loads during the stop, and one that no longer answers once the deadline passes', async () => {
    const {slot, factory} = await startSlot()
    const open = factory.hold()
    const reloading = slot.reload('late.ts')
    // Let the reload reach the factory, which holds it, then stop.
    await new Promise((resolve) => setImmediate(resolve))
    const stopping = slot.stop({graceful: true, deadline: Date.now() + 50})
    open()
    expect(await reloading).toMatchObject({ok: false})
    expect(await stopping).toBe(true)
    expect(factory.started.map((generation) => generation.ended)).toEqual([true, true])

    const hung = await startSlot()
    const generation = hung.factory.started[0]!
    generation.stopPeriodicTasks = () => new Promise(() => {})
    expect(await hung.slot.stop({graceful: true, deadline: Date.now() + 50})).toBe(false)
    expect(generation.ended).toBe(true)
  })

  it('rejects the calls still waiting when it stops', async () => {
    const {slot, factory} = await startSlot({baseDelayMs: 60_000, maxDelayMs: 60_000})
    factory.started[0]!.crash()
    const waiting = call(slot)
    await slot.stop({graceful: true, deadline: Number.POSITIVE_INFINITY})
    await expect(waiting).rejects.toMatchObject({code: 'NO_SERVICE_AVAILABLE'})
  })
})
