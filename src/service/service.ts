import path from 'node:path'
import {LockManager} from '../coordination/lock-manager.js'
import {serviceSection} from '../config/backend-sections.js'
import {StewardError, describeError, isStewardError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'
import {PeriodicLoop} from '../manager/periodic-loop.js'
import {RpcStatsRecorder} from '../monitor/rpc-stats.js'
import type {GenerationContract, GenerationDetails} from '../plugins/generation.js'
import {GenerationSlot, type GenerationStatus, type ReloadRecord} from '../plugins/generation-slot.js'
import {activeTracing} from '../profiler/tracing.js'
import {createContext, type RequestContext} from '../rpc/context.js'
import {HOST_TOPIC} from '../rpc/target-resolver.js'
import {cleanupStoppedServices} from './cleanup-services.js'
import type {HostContext} from './host-context.js'

export type {HostContext, ManagerSource} from './host-context.js'

export interface ServiceOptions {
  host?: string
  binary?: string
  topic?: string
  /** Manager name; defaults to the topic's configured `manager`, then the topic itself. */
  manager?: string
  /** Seconds; 0 disables. Defaults come from the configuration. */
  reportInterval?: number
  periodicInterval?: number
  periodicFuzzyDelay?: number
  cleanupInterval?: number
  /** The name the manager reports capabilities under; defaults to the topic. */
  serviceName?: string
  /** Take cross-process file locks for `synchronized`. @default false */
  coordination?: boolean
  /**
   * One backend of the topic's `backends` section: the service runs as host `<host>@<backend>`
   * and its manager sees the backend's options over the topic's (Manila's enabled_share_backends).
   */
  backend?: string
}

type Lifecycle = 'created' | 'starting' | 'running' | 'stopping' | 'stopped'

/**
 * One running unit on a host (Manila's Service): a record in the services table, an RPC
 * listener on its topic, and timers for heartbeats, periodic tasks and clean-up.
 */
export class Service {
  readonly host: string
  readonly binary: string
  readonly topic: string
  readonly managerName: string
  readonly serviceName: string
  readonly coordination: boolean
  /** The backend this service runs, when its topic has `backends`. */
  readonly backend: string | undefined
  readonly reportInterval: number
  readonly periodicInterval: number
  readonly periodicFuzzyDelay: number
  readonly cleanupInterval: number

  /** RPC counted as the service's calls and casts are dispatched. */
  readonly rpcStats = new RpcStatsRecorder()
  private lifecycle: Lifecycle = 'created'
  private id: number | undefined
  private slot: GenerationSlot | undefined
  private readonly loops: PeriodicLoop[] = []
  private unlisten: (() => void) | undefined
  private readonly locks: LockManager
  private readonly log: Logger
  private disconnected = false
  private notReady = false
  /** When this process last recorded a heartbeat (performance.now()), for heartbeatAgeSeconds. */
  private lastReportedAt: number | undefined
  private stopping: Promise<void> | undefined
  /** Settles (never rejects) when the start under way has finished, for a stop() during it. */
  private starting: Promise<void> | undefined
  private readonly stoppedSignal: Promise<void>
  private markStopped!: () => void

  private constructor(
    private readonly hostContext: HostContext,
    options: Required<Omit<ServiceOptions, 'coordination' | 'backend'>> & {coordination: boolean; backend: string | undefined},
  ) {
    this.host = options.host
    this.binary = options.binary
    this.topic = options.topic
    this.managerName = options.manager
    this.serviceName = options.serviceName
    this.coordination = options.coordination
    this.backend = options.backend
    this.reportInterval = options.reportInterval
    this.periodicInterval = options.periodicInterval
    this.periodicFuzzyDelay = options.periodicFuzzyDelay
    this.cleanupInterval = options.cleanupInterval
    this.log = hostContext.log.child({service: `${this.binary}@${this.host}`})
    const lockDir = path.join(hostContext.config.options.state_dir, 'locks')
    this.locks = new LockManager(this.coordination ? {lockDir, logger: this.log} : {logger: this.log})
    this.stoppedSignal = new Promise((resolve) => {
      this.markStopped = resolve
    })
  }

  /**
   * Build a service, filling what is not given from the configuration: host from `host`, binary
   * `steward-<topic>`, topic from the binary, manager from `<topic>.manager` (else the topic),
   * intervals from `report_interval`, `periodic_interval`, `periodic_fuzzy_delay` and
   * `cleanup_interval`.
   */
  static create(hostContext: HostContext, options: ServiceOptions): Service {
    const {config} = hostContext
    const topic = options.topic ?? options.binary?.replace(/^steward-/, '')
    if (topic === undefined || topic === '') throw new StewardError('TOPIC_NOT_CONFIGURED', 'A service needs a topic or a binary.')
    if (topic === HOST_TOPIC) throw new StewardError('CONFIG_INVALID', `"${HOST_TOPIC}" is the topic every host answers on itself; a service cannot use it.`)
    const section = serviceSection(config, topic, options.backend)
    const host = options.host ?? config.options.host
    return new Service(hostContext, {
      host: options.backend === undefined ? host : `${host}@${options.backend}`,
      binary: options.binary ?? `steward-${topic}`,
      topic,
      manager: options.manager ?? section.manager ?? topic,
      reportInterval: options.reportInterval ?? config.options.report_interval,
      periodicInterval: options.periodicInterval ?? config.options.periodic_interval,
      periodicFuzzyDelay: options.periodicFuzzyDelay ?? config.options.periodic_fuzzy_delay,
      cleanupInterval: options.cleanupInterval ?? config.options.cleanup_interval,
      serviceName: options.serviceName ?? topic,
      coordination: options.coordination ?? section.coordination ?? false,
      backend: options.backend,
    })
  }

  /** How its host names it: the topic, or `topic@backend` for one backend of a topic. */
  get key(): string {
    return this.backend === undefined ? this.topic : `${this.topic}@${this.backend}`
  }

  /** The id of the service's record, once started. */
  get serviceId(): number | undefined {
    return this.id
  }

  get state(): Lifecycle {
    return this.lifecycle
  }

  /**
   * Start, in Manila's order: find or create the record → manager.initHost → listen on the topic,
   * `topic.host` and fanout → manager.initHostWithRpc → heartbeat, periodic and clean-up timers.
   */
  async start(): Promise<void> {
    if (this.lifecycle !== 'created') {
      this.log.warn(`start ignored: the service is already ${this.lifecycle}`)
      return
    }
    this.lifecycle = 'starting'
    const started = this.startInOrder()
    this.starting = started.then(
      () => undefined,
      () => undefined,
    )
    try {
      await started
    } catch (error) {
      await this.abortStart()
      // A steward error keeps its own code (MANAGER_NOT_FOUND, DRIVER_MISSING_METHOD…); anything
      // else a plugin threw becomes HOST_START_FAILED.
      const message = `Service ${this.binary} on ${this.host} failed to start: ${describeError(error)}`
      const data = {host: this.host, binary: this.binary}
      if (isStewardError(error)) throw new StewardError(error.code, message, {cause: error, data: {...error.data, ...data}, suggestions: error.suggestions})
      throw new StewardError('HOST_START_FAILED', message, {cause: error, data})
    }
    // A stop() during the start (a signal while initHost ran) has the last word: the start went
    // no further than the step under way, and stop() finishes the job.
    if (this.stopping !== undefined) {
      this.log.info('stopped while starting')
      return
    }
    this.lifecycle = 'running'
    this.log.info('started', {id: this.id, manager: this.managerName})
  }

  private async startInOrder(): Promise<void> {
    const {store, config, generations} = this.hostContext
    // Until it listens, the record reads stopped, so no client routes a call to it and gets
    // NO_SERVICE_AVAILABLE from this host; updatedAt moves so clean-up leaves it alone meanwhile.
    const startedAt = new Date().toISOString()
    const {record, created} = await store.findOrCreateService({
      host: this.host,
      binary: this.binary,
      topic: this.topic,
      zone: config.options.storage_availability_zone,
      disabled: !config.options.enable_new_services,
      stoppedAt: startedAt,
    })
    this.id = record.id
    if (!created) await store.updateService(record.id, {stoppedAt: startedAt, updatedAt: startedAt})

    const slot = new GenerationSlot({
      factory: generations,
      spec: (number) => ({
        number,
        managerName: this.managerName,
        topic: this.topic,
        host: this.host,
        serviceName: this.serviceName,
        ...(this.backend === undefined ? {} : {backend: this.backend}),
        log: this.log,
        synchronized: (name, fn, options) => this.locks.synchronized(name, fn, options),
        // Read when each generation starts: the profiler is set for the life of the host.
        ...(activeTracing === undefined ? {} : {onDriverCall: (call) => activeTracing?.driverCall(this, call)}),
      }),
      log: this.log,
      // The readiness ping must fit in a heartbeat interval, so a hung generation misses the beat.
      readyTimeoutMs: Math.max(1000, Math.min(10_000, this.reportInterval * 500)),
      drainTimeoutMs: () => config.options.graceful_shutdown_timeout * 1000,
      onReload: (reloaded) => {
        activeTracing?.reload(this, reloaded)
        this.hostContext.onReload?.(this, reloaded)
      },
    })
    this.slot = slot
    await slot.start()

    // After each step, a stop() that came meanwhile ends the start: nothing may listen or tick
    // once the service is recorded stopped.
    if (this.stopping !== undefined) return
    await slot.initHost(record.id)
    if (this.stopping !== undefined) return
    this.unlisten = this.hostContext.dispatcher.listen({
      topic: this.topic,
      server: this.host,
      // Read per call: a reloaded generation may serve another version.
      get version() {
        return slot.generation?.contract.rpcApiVersion ?? '0.0'
      },
      dispatch: (ctx, method, args, cast) => this.dispatch(ctx, method, args, cast === true),
    })
    await store.updateService(record.id, {stoppedAt: null})
    await slot.initHostWithRpc()
    if (this.stopping !== undefined) return

    // The first heartbeat comes at once so a restarted service reads up without waiting a full
    // report interval (Manila's first report after a restart is only written later).
    await this.reportState()
    if (this.stopping !== undefined) return
    this.startTimers()
  }

  private startTimers(): void {
    const random = this.hostContext.random ?? Math.random
    const loops = [
      {name: 'heartbeat', tick: () => this.reportState(), interval: this.reportInterval, initialDelay: this.reportInterval},
      {name: 'clean-up', tick: () => this.cleanupServices(), interval: this.cleanupInterval, initialDelay: this.cleanupInterval},
      // The periodic tasks loop sleeps until the next task is due, at most periodic_interval.
      {name: 'periodic tasks', tick: () => this.runPeriodicTasks(), interval: this.periodicInterval, initialDelay: random() * this.periodicFuzzyDelay},
    ]
    for (const options of loops) {
      const loop = new PeriodicLoop({...options, logger: this.log})
      loop.start()
      this.loops.push(loop)
    }
  }

  private runPeriodicTasks(): Promise<number> {
    if (activeTracing !== undefined) return activeTracing.periodic(this, (ctx) => this.slot!.runPeriodicTasks(ctx))
    return this.slot!.runPeriodicTasks(createContext(this.host))
  }

  /** Deliver an RPC call or cast to the manager, counted and (with the profiler on) traced. */
  private dispatch(ctx: RequestContext, method: string, args: Record<string, unknown>, cast: boolean): Promise<unknown> {
    const sampled = activeTracing?.sample(ctx) ?? ctx
    if (sampled === true) return activeTracing!.serve(this, method, cast, ctx, (traced) => this.dispatchToManager(traced, method, args, cast))
    return this.dispatchToManager(sampled, method, args, cast)
  }

  /** Only declared RPC methods are callable. */
  private dispatchToManager(ctx: RequestContext, method: string, args: Record<string, unknown>, cast: boolean): Promise<unknown> {
    const timing = cast ? this.rpcStats.cast : this.rpcStats.call
    const startedAt = timing.begin()
    const generation = this.slot?.generation
    if (generation !== undefined && !generation.contract.rpcMethods.includes(method)) {
      const error = new StewardError('NO_SUCH_METHOD', `Service ${this.binary} on ${this.host} has no RPC method "${method}".`, {
        data: {topic: this.topic, server: this.host, method},
      })
      timing.failed(startedAt, error)
      return Promise.reject(error)
    }
    return this.slot!.dispatch(ctx, method, args, timing, startedAt)
  }

  /** Load the plugin code anew in a new generation and swap it in; the old one keeps serving if it fails. */
  reload(trigger = 'reload'): Promise<ReloadRecord> {
    if (this.slot === undefined || this.lifecycle !== 'running') {
      return Promise.reject(new StewardError('NO_SERVICE_AVAILABLE', `Service ${this.binary} on ${this.host} is ${this.lifecycle}, not running.`))
    }
    return this.slot.reload(trigger)
  }

  /** Seconds since this process last recorded a heartbeat of the service; undefined before the first. */
  get heartbeatAgeSeconds(): number | undefined {
    return this.lastReportedAt === undefined ? undefined : (performance.now() - this.lastReportedAt) / 1000
  }

  /** Which generation serves, and how its reloads went. */
  generationStatus(): GenerationStatus | undefined {
    return this.slot?.status()
  }

  /**
   * A heartbeat. Skipped while the manager is not ready, so the service reads as down. A store
   * failure is logged once and never stops the timer; a vanished record is recreated.
   */
  async reportState(): Promise<void> {
    if (this.id === undefined) return
    if (!(await this.managerReady())) return
    const {store, config} = this.hostContext
    try {
      let record = await store.reportService(this.id, new Date())
      if (record === undefined) {
        this.log.warn('service record vanished: recreating it', {id: this.id})
        const created = await store.findOrCreateService({
          host: this.host,
          binary: this.binary,
          topic: this.topic,
          zone: config.options.storage_availability_zone,
          disabled: !config.options.enable_new_services,
        })
        this.id = created.record.id
        record = await store.reportService(this.id, new Date())
      }
      this.lastReportedAt = performance.now()
      if (this.disconnected) {
        this.disconnected = false
        this.log.info('recovered: the state store answers again')
      }
    } catch (error) {
      if (!this.disconnected) {
        this.disconnected = true
        this.log.error('cannot report state: the state store failed', {error})
      }
    }
  }

  private async managerReady(): Promise<boolean> {
    let ready: boolean
    try {
      ready = (await this.slot?.isReady()) ?? false
    } catch (error) {
      this.log.warn('isServiceReady threw', {error})
      ready = false
    }
    if (ready === this.notReady) {
      this.notReady = !ready
      if (ready) this.log.info('manager is ready: heartbeats resume')
      else this.log.error('manager is not ready: skipping heartbeats, the service will read as down')
    }
    return ready
  }

  /** Delete stopped, stale records of this topic; one service of the topic at a time. */
  async cleanupServices(): Promise<void> {
    const {store, config} = this.hostContext
    try {
      const removed = await this.locks.synchronized(
        `cleanup-${this.topic}`,
        () => cleanupStoppedServices(store, {topic: this.topic, now: new Date(), downTimeSeconds: config.options.service_down_time}),
        {blocking: false},
      )
      for (const record of removed) this.log.info('cleaned up a stopped service record', record)
    } catch (error) {
      // Another service of the topic cleaning up right now is normal, not a failure.
      if (isStewardError(error, 'LOCK_ACQUIRE_FAILED')) this.log.debug('clean-up skipped: another service of the topic is doing it')
      else this.log.warn('service clean-up failed; it runs again next interval', {error})
    }
  }

  /**
   * Stop: stop listening and the timers; when graceful, wait for in-flight calls and running
   * periodic tasks up to `graceful_shutdown_timeout`; then record the service as stopped.
   */
  stop({graceful = true}: {graceful?: boolean} = {}): Promise<void> {
    if (this.lifecycle === 'created' || this.lifecycle === 'stopped') return Promise.resolve()
    this.stopping ??= this.stopInOrder(graceful)
    return this.stopping
  }

  private async stopInOrder(graceful: boolean): Promise<void> {
    this.lifecycle = 'stopping'
    const timeoutSeconds = this.hostContext.config.options.graceful_shutdown_timeout
    const deadline = timeoutSeconds === 0 ? Number.POSITIVE_INFINITY : Date.now() + timeoutSeconds * 1000
    // Stopped while starting: a graceful stop lets the step under way (initHost…) finish first,
    // so cleanupHost does not run beside it; the start then goes no further.
    if (graceful && this.starting !== undefined) await settledBy(this.starting, deadline)
    this.unlisten?.()
    await Promise.all(this.loops.map((loop) => loop.stop()))
    if ((await this.slot?.stop({graceful, deadline})) === false) this.log.warn('stopped before in-flight work finished')
    if (this.id !== undefined) {
      try {
        // updatedAt moves too, as in Manila, so clean-up keeps the record for service_down_time.
        const now = new Date().toISOString()
        await this.hostContext.store.updateService(this.id, {stoppedAt: now, updatedAt: now})
      } catch (error) {
        this.log.warn('could not record the stop in the state store', {error})
      }
    }
    this.lifecycle = 'stopped'
    this.log.info('stopped')
    this.markStopped()
  }

  /** Undo a start that failed halfway; the record is left as it is and will read down. */
  private async abortStart(): Promise<void> {
    this.unlisten?.()
    await Promise.all(this.loops.map((loop) => loop.stop()))
    await this.slot?.stop({graceful: false, deadline: Date.now()})
    this.lifecycle = 'stopped'
    this.markStopped()
  }

  /** Resolves once the service has stopped. */
  wait(): Promise<void> {
    return this.stoppedSignal
  }

  /** Stop, then delete the record. */
  async kill(): Promise<void> {
    await this.stop()
    if (this.id === undefined) return
    try {
      await this.hostContext.store.removeServices([this.id])
    } catch (error) {
      this.log.warn('could not delete the service record', {error})
    }
  }

  /** The serving generation's periodic tasks, drivers and capabilities, for monitors; undefined while none serves. */
  async details(): Promise<GenerationDetails | undefined> {
    return this.slot?.details()
  }

  /** What the serving generation serves (its plugin, RPC API version); undefined while none serves. */
  get contract(): GenerationContract | undefined {
    return this.slot?.generation?.contract
  }
}

/** Resolves when the promise has settled or the deadline (epoch ms; Infinity: none) has passed. */
async function settledBy(promise: Promise<void>, deadline: number): Promise<void> {
  if (deadline === Number.POSITIVE_INFINITY) return promise
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, remaining(deadline))
  })
  await Promise.race([promise, timedOut])
  clearTimeout(timer)
}

/** Milliseconds left before a deadline; 0 means wait forever (no deadline). */
function remaining(deadline: number): number {
  return deadline === Number.POSITIVE_INFINITY ? 0 : Math.max(1, deadline - Date.now())
}
