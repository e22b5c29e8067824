import {StewardError, describeError, isStewardError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'
import type {RequestContext} from '../rpc/context.js'
import type {Generation, GenerationDetails, GenerationFactory, GenerationSpec} from './generation.js'

/** What a service's generations are doing. */
export type GenerationState = 'starting' | 'serving' | 'restarting' | 'errored' | 'stopped'

/** The outcome of one reload or replacement, for logs and monitors. */
export interface ReloadRecord {
  /** What caused it: the file saved, `restart`, or the crash or hang replaced. */
  trigger: string
  /** The generation it loaded (or tried to). */
  generation: number
  at: string
  durationMs: number
  ok: boolean
  error?: string
  /** The failure's error code (PLUGIN_LOAD_FAILED for a syntax error…). */
  code?: string
}

export interface GenerationStatus {
  state: GenerationState
  /** The serving generation's number; 0 before the first. */
  generation: number
  /** Successful reloads and replacements since the service started. */
  reloads: number
  /** Reloads and replacements that failed since the service started (the old generation kept serving). */
  failedReloads: number
  lastReload: ReloadRecord | undefined
  inFlight: number
  /** Replaced generations still finishing their work; 0 once every one has ended. */
  retiring: number
  pluginDirs: readonly string[]
}

export interface GenerationSlotOptions {
  factory: GenerationFactory
  /** The spec of generation `number` (manager, topic, logger, locks). */
  spec: (number: number) => GenerationSpec
  log: Logger
  /** How long a generation may take to answer a readiness ping. */
  readyTimeoutMs: number
  /** How long a retiring generation may take to finish its calls and tasks. */
  drainTimeoutMs: () => number
  /** Tuning for crash loops (tests shorten them). */
  restart?: Partial<RestartPolicy>
  /** Told of every reload and replacement once it has finished, worked or not (for monitors). */
  onReload?: (record: ReloadRecord) => void
}

/** Told when a call given to dispatch settles, with the start time given with it (RPC statistics). */
export interface DispatchObserver {
  succeeded(startedAt: number): void
  failed(startedAt: number, error: unknown): void
}

export interface RestartPolicy {
  /** First delay before replacing a generation that died soon after it started. */
  baseDelayMs: number
  maxDelayMs: number
  /** A generation that lived this long was stable; its death restarts at once. */
  stableAfterMs: number
  /** Unstable starts in a row after which the service is marked errored. */
  maxUnstableStarts: number
}

const DEFAULT_RESTART: RestartPolicy = {baseDelayMs: 500, maxDelayMs: 30_000, stableAfterMs: 30_000, maxUnstableStarts: 5}

interface Waiter {
  resolve(generation: Generation): void
  reject(error: unknown): void
}

/**
 * The generation a service's calls go to, and how it is replaced. A reload loads and checks
 * generation N+1 (load, validate, initHost) while N serves, swaps it in at once, then lets N
 * finish its calls and tasks before ending it; a failed load leaves N serving. A generation that
 * dies or stops answering is replaced, with backoff when it keeps dying, and the service is
 * marked errored after repeated unstable starts. Calls that arrive while no generation serves
 * wait for the next one.
 */
export class GenerationSlot {
  private current: Generation | undefined
  /** The generation installed last, still known after it died: its plugins are what to watch. */
  private latest: Generation | undefined
  private currentSince = 0
  private number = 0
  private serviceId: number | undefined
  private state: GenerationState = 'starting'
  private reloads = 0
  private failedReloads = 0
  private lastReload: ReloadRecord | undefined
  private unstableStarts = 0
  private restartTimer: NodeJS.Timeout | undefined
  private readonly waiters: Waiter[] = []
  private readonly inFlight = new Map<Generation, number>()
  private readonly drainWaiters = new Map<Generation, () => void>()
  private readonly retiring = new Set<Promise<void>>()
  /** Reloads and replacements run one at a time. */
  private queue: Promise<unknown> = Promise.resolve()
  private readonly policy: RestartPolicy

  constructor(private readonly options: GenerationSlotOptions) {
    this.policy = {...DEFAULT_RESTART, ...options.restart}
  }

  /** Load the first generation (not yet initHost'ed). Throws what the load threw. */
  async start(): Promise<Generation> {
    const generation = await this.load()
    this.install(generation)
    return generation
  }

  /** The serving generation, if any. */
  get generation(): Generation | undefined {
    return this.current
  }

  /** Run initHost on the serving generation; remembered for the generations that follow. */
  async initHost(serviceId: number): Promise<void> {
    this.serviceId = serviceId
    await this.current?.initHost(serviceId)
  }

  async initHostWithRpc(): Promise<void> {
    if (this.serviceId !== undefined) await this.current?.initHostWithRpc(this.serviceId)
    this.state = 'serving'
  }

  status(): GenerationStatus {
    const generation = this.current
    return {
      state: this.state,
      generation: generation?.number ?? 0,
      reloads: this.reloads,
      failedReloads: this.failedReloads,
      lastReload: this.lastReload,
      inFlight: [...this.inFlight.values()].reduce((sum, count) => sum + count, 0),
      retiring: this.retiring.size,
      pluginDirs: this.latest?.contract.pluginDirs ?? [],
    }
  }

  /**
   * Deliver a call to the serving generation, waiting for one while a replacement loads. The
   * observer hears how it settled, from the frame that tracks it anyway: no promise of its own.
   */
  dispatch(ctx: RequestContext, method: string, args: Record<string, unknown>, observer?: DispatchObserver, startedAt = 0): Promise<unknown> {
    const generation = this.current
    if (generation !== undefined) return this.track(generation, generation.dispatch(ctx, method, args), observer, startedAt)
    return this.available().then(
      (next) => this.track(next, next.dispatch(ctx, method, args), observer, startedAt),
      (error: unknown) => {
        observer?.failed(startedAt, error)
        throw error
      },
    )
  }

  /**
   * Whether the service may report itself up: the manager's isServiceReady, asked with a deadline.
   * A generation that does not answer in time is taken for hung and replaced.
   */
  async isReady(): Promise<boolean> {
    const generation = this.current
    if (generation === undefined) return false
    try {
      return await generation.isServiceReady(this.options.readyTimeoutMs)
    } catch (error) {
      if (isStewardError(error, 'GENERATION_UNRESPONSIVE') && generation === this.current) {
        this.options.log.error(`${describeError(error)} Replacing it.`, {generation: generation.number})
        this.died(generation, error)
        await generation.end()
        return false
      }
      throw error
    }
  }

  /**
   * Run the due periodic tasks in the serving generation. While a replacement loads, wait for it;
   * when the generation dies during the call, go on in the next one, so a new generation's tasks
   * run at once rather than a periodic interval later.
   */
  async runPeriodicTasks(ctx: RequestContext): Promise<number> {
    for (;;) {
      const generation = this.current ?? (await this.available())
      try {
        return await generation.runPeriodicTasks(ctx)
      } catch (error) {
        if (generation === this.current || this.state === 'stopped' || this.state === 'errored') throw error
      }
    }
  }

  /** The serving generation's details; undefined while none serves. */
  async details(): Promise<GenerationDetails | undefined> {
    return this.current?.details()
  }

  /**
   * Load generation N+1, check it, swap it in, and retire N. A load that fails leaves N serving;
   * the record says why.
   */
  reload(trigger: string): Promise<ReloadRecord> {
    return this.serialized(async () => {
      clearTimeout(this.restartTimer)
      const record = await this.replace(trigger)
      // A deliberate reload that works starts the crash count afresh.
      if (record.ok) this.unstableStarts = 0
      return record
    })
  }

  /**
   * Stop: no more calls or tasks; a graceful stop lets the serving generation finish first, until
   * the deadline (epoch ms; Infinity: none). Resolves to whether all in-flight work finished.
   */
  async stop({graceful, deadline}: {graceful: boolean; deadline: number}): Promise<boolean> {
    this.state = 'stopped'
    clearTimeout(this.restartTimer)
    this.rejectWaiters(new StewardError('NO_SERVICE_AVAILABLE', 'The service is stopping.'))
    await this.queue
    const generation = this.current
    this.current = undefined
    let finished = true
    if (generation !== undefined) finished = await this.retireNow(generation, graceful, deadline)
    await Promise.all(this.retiring)
    return finished
  }

  private async replace(trigger: string): Promise<ReloadRecord> {
    const startedAt = performance.now()
    let next: Generation | undefined
    try {
      if (this.state === 'stopped') throw new StewardError('NO_SERVICE_AVAILABLE', 'The service has stopped.')
      next = await this.load()
      if (this.serviceId !== undefined) await next.initHost(this.serviceId)
      // A stop that came while it loaded wins: nothing may serve after it.
      if ((this.state as GenerationState) === 'stopped') throw new StewardError('NO_SERVICE_AVAILABLE', 'The service stopped while its next generation loaded.')
    } catch (error) {
      await next?.end()
      return this.record(trigger, startedAt, error)
    }
    const previous = this.current
    this.install(next)
    if (this.serviceId !== undefined) {
      await next.initHostWithRpc(this.serviceId).catch((error: unknown) => this.options.log.warn(`generation ${next.number}: initHostWithRpc failed`, {error}))
    }
    if (previous !== undefined) this.retire(previous)
    this.reloads++
    return this.record(trigger, startedAt)
  }

  private record(trigger: string, startedAt: number, error?: unknown): ReloadRecord {
    const record: ReloadRecord = {
      trigger,
      generation: this.number,
      at: new Date().toISOString(),
      durationMs: Math.round(performance.now() - startedAt),
      ok: error === undefined,
      ...(error === undefined ? {} : {error: describeError(error), code: isStewardError(error) ? error.code : 'HOST_START_FAILED'}),
    }
    this.lastReload = record
    if (!record.ok) this.failedReloads++
    if (record.ok) {
      this.options.log.info(`reloaded: generation ${record.generation} serves (${trigger}, ${record.durationMs} ms)`, {generation: record.generation, trigger, durationMs: record.durationMs})
    } else {
      const keeps = this.current === undefined ? 'no generation serves' : `generation ${this.current.number} keeps serving`
      this.options.log.error(`reload failed (${trigger}): ${record.error}; ${keeps}`, {generation: record.generation, trigger, error})
    }
    this.options.onReload?.(record)
    return record
  }

  private load(): Promise<Generation> {
    this.number++
    return this.options.factory.start(this.options.spec(this.number))
  }

  /** Make a loaded generation the one that serves, and hand it the calls that waited. */
  private install(generation: Generation): void {
    this.current = generation
    this.latest = generation
    this.currentSince = performance.now()
    if (this.state !== 'starting') this.state = 'serving'
    generation.onExit((error) => this.died(generation, error))
    for (const waiter of this.waiters.splice(0)) waiter.resolve(generation)
  }

  /** A generation died or hung: the serving one is replaced. */
  private died(generation: Generation, error: unknown): void {
    if (generation !== this.current || this.state === 'stopped') return
    this.current = undefined
    this.replaceAfterDeath(generation.number, error, performance.now() - this.currentSince)
  }

  /** Replace a dead generation: at once after a stable life, else after a growing backoff. */
  private replaceAfterDeath(number: number, error: unknown, livedMs: number): void {
    this.unstableStarts = livedMs < this.policy.stableAfterMs ? this.unstableStarts + 1 : 0
    if (this.unstableStarts >= this.policy.maxUnstableStarts) {
      this.state = 'errored'
      this.options.log.error(`generation ${number} died (${describeError(error).replace(/\.$/, '')}): ${this.unstableStarts} unstable starts in a row, the service is marked errored; save a plugin file or reload the service to try again`, {generation: number})
      this.rejectWaiters(new StewardError('GENERATION_FAILED', `The service's plugin keeps crashing (${describeError(error)}).`, {data: {generation: number}}))
      return
    }
    const delay = this.unstableStarts === 0 ? 0 : Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (this.unstableStarts - 1))
    this.state = 'restarting'
    this.options.log.error(`generation ${number} died: ${describeError(error).replace(/\.$/, '')}; replacing it in ${delay} ms`, {generation: number, delayMs: delay})
    this.restartTimer = setTimeout(() => {
      void this.serialized(async () => {
        if (this.current !== undefined || this.state !== 'restarting') return
        const record = await this.replace(`replacing generation ${number} that died`)
        if (!record.ok) this.replaceAfterDeath(record.generation, new Error(record.error), 0)
      })
    }, delay)
  }

  private available(): Promise<Generation> {
    if (this.state === 'errored') {
      return Promise.reject(new StewardError('GENERATION_FAILED', 'The service is errored: its plugin kept crashing.', {suggestions: ['Fix the plugin and save a file of it, or run `steward services reload`.']}))
    }
    if (this.state === 'stopped') return Promise.reject(new StewardError('NO_SERVICE_AVAILABLE', 'The service has stopped.'))
    return new Promise((resolve, reject) => this.waiters.push({resolve, reject}))
  }

  private rejectWaiters(error: StewardError): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error)
  }

  private async track(generation: Generation, call: Promise<unknown>, observer: DispatchObserver | undefined, startedAt: number): Promise<unknown> {
    this.inFlight.set(generation, (this.inFlight.get(generation) ?? 0) + 1)
    try {
      const result = await call
      observer?.succeeded(startedAt)
      return result
    } catch (error) {
      observer?.failed(startedAt, error)
      throw error
    } finally {
      const left = this.inFlight.get(generation)! - 1
      if (left === 0) {
        this.inFlight.delete(generation)
        this.drainWaiters.get(generation)?.()
      } else {
        this.inFlight.set(generation, left)
      }
    }
  }

  /** Retire a replaced generation in the background; stop() waits for it. */
  private retire(generation: Generation): void {
    const timeoutMs = this.options.drainTimeoutMs()
    const retiring = this.retireNow(generation, true, timeoutMs === 0 ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs).then(() => undefined)
    this.retiring.add(retiring)
    void retiring.finally(() => this.retiring.delete(retiring))
  }

  /** Let a generation finish its tasks and calls (when graceful), clean up, and end it. */
  private async retireNow(generation: Generation, graceful: boolean, deadline: number): Promise<boolean> {
    let finished = true
    try {
      // A hung generation answers nothing: past the deadline it is ended all the same.
      finished = (await settledBy(generation.stopPeriodicTasks({graceful, timeoutMs: deadline === Number.POSITIVE_INFINITY ? 0 : Math.max(1, deadline - Date.now())}), deadline)) === true
      if (graceful) finished = (await this.drained(generation, deadline)) && finished
      else finished = finished && !this.inFlight.has(generation)
      await settledBy(generation.cleanupHost(), deadline)
    } catch (error) {
      this.options.log.warn(`generation ${generation.number}: clean-up failed`, {error})
    }
    if (!finished) this.options.log.warn(`generation ${generation.number} ended before its in-flight work finished`)
    await generation.end()
    return finished
  }

  private drained(generation: Generation, deadline: number): Promise<boolean> {
    if (!this.inFlight.has(generation)) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = deadline === Number.POSITIVE_INFINITY ? undefined : setTimeout(() => resolve(false), Math.max(1, deadline - Date.now()))
      this.drainWaiters.set(generation, () => {
        clearTimeout(timer)
        this.drainWaiters.delete(generation)
        resolve(true)
      })
    })
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }
}

/** The promise's value, or undefined once the deadline (epoch ms; Infinity: none) has passed. */
async function settledBy<T>(promise: Promise<T>, deadline: number): Promise<T | undefined> {
  if (deadline === Number.POSITIVE_INFINITY) return promise
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(1, deadline - Date.now()))
  })
  try {
    return await Promise.race([promise, timedOut])
  } finally {
    clearTimeout(timer)
  }
}
