import path from 'node:path'
import {Worker} from 'node:worker_threads'
import {serviceSection} from '../config/backend-sections.js'
import type {StewardConfig} from '../config/load-config.js'
import {StewardError, describeError} from '../errors/index.js'
import type {ServiceQuery} from '../manager/manager.js'
import type {DriverCallRecord} from '../profiler/tracing.js'
import type {RpcClient} from '../rpc/context.js'
import type {StateStore} from '../store/types.js'
import type {Generation, GenerationContract, GenerationFactory, GenerationSpec} from './generation.js'
import type {GenerationWorkerData, LogNote, RpcRequest, StoreRequest} from './generation-worker.js'
import {packageRoot} from './package-root.js'
import type {PluginLocation} from './discover-plugins.js'
import {pluginDirectories} from './plugin-registry.js'
import {PortRpc} from './port-rpc.js'
import {readServices} from './service-views.js'

const workerFile = path.join(packageRoot, 'dist', 'plugins', 'generation-worker.js')

export interface WorkerGenerationsOptions {
  config: StewardConfig
  store: StateStore
  rpc: RpcClient
}

/**
 * Generations that each run in a worker thread (isolation `worker`, the default). Plugin code
 * gets fresh modules with every generation, and ending one frees them; a crash or a busy loop
 * takes down only the worker. The host keeps the edges: store, RPC, locks and logs cross the
 * worker's port.
 */
export class WorkerGenerations implements GenerationFactory {
  /** A booted worker waiting for its generation, so a reload does not wait for a thread to start. */
  private spare: Worker | undefined
  private lastDirectories: PluginLocation[] | undefined
  /** Generations whose workers have not exited, by service: a service with two is replacing one. */
  private readonly live = new Map<string, Set<WorkerGeneration>>()
  /** Set while the next spare waits for a replaced generation's worker to exit (see spareAfterLoad). */
  private deferredSpare: {exited: Promise<void>; resolve: () => void} | undefined
  private closed = false

  constructor(private readonly options: WorkerGenerationsOptions) {}

  async start(spec: GenerationSpec): Promise<Generation> {
    const {config} = this.options
    const data: GenerationWorkerData = {
      number: spec.number,
      managerName: spec.managerName,
      topic: spec.topic,
      host: spec.host,
      serviceName: spec.serviceName,
      section: serviceSection(config, spec.topic, spec.backend),
      configDir: config.file === undefined ? process.cwd() : path.dirname(config.file),
      stateDir: config.options.state_dir,
      pluginDirectories: this.pluginDirectories(),
      traceDrivers: spec.onDriverCall !== undefined,
    }
    if (this.spare === undefined) await this.replacedWorkerExit()
    const worker = this.spare ?? bootWorker()
    this.spare = undefined
    const service = `${spec.host} ${spec.topic}`
    const generation = new WorkerGeneration(spec, worker, this.options, () => this.exited(service, generation))
    try {
      await generation.load(data)
    } catch (error) {
      await generation.end()
      throw error
    }
    const generations = this.live.get(service) ?? new Set()
    generations.add(generation)
    this.live.set(service, generations)
    this.spareAfterLoad(generations.size > 1)
    return generation
  }

  /** End the spare worker, and boot no more; the host calls this when it stops. */
  async close(): Promise<void> {
    this.closed = true
    const spare = this.spare
    this.spare = undefined
    await spare?.terminate()
  }

  /**
   * Where plugins are found now. `steward plugins install` rewrites the user plugins manifest in
   * steps; a generation started while it is half-written uses the directories found last.
   */
  private pluginDirectories(): PluginLocation[] {
    try {
      this.lastDirectories = pluginDirectories(this.options.config.options)
    } catch (error) {
      if (this.lastDirectories === undefined) throw error
    }
    return this.lastDirectories
  }

  /**
   * Boot the next spare at once, or, after a reload, once the generation it replaced has ended.
   * Each thread allocates from a glibc arena of its own, and an arena keeps what is freed in it
   * for reuse rather than giving it back (a plugin's buffers of a few MiB, once glibc has raised
   * its mmap threshold); a new thread takes the arena of the thread that exited last. A spare
   * booted while the replaced generation still ran took a fresh arena, so the host kept about one
   * plugin's memory per arena in rotation: ~100 MB over 100 reloads of a plugin holding 20 MiB.
   * Booted after that worker's exit, the spare takes over its arena, and reloads reuse two.
   */
  private spareAfterLoad(replacing: boolean): void {
    if (!replacing) this.keepSpare()
    else if (this.deferredSpare === undefined) {
      let resolve!: () => void
      const exited = new Promise<void>((settle) => (resolve = settle))
      this.deferredSpare = {exited, resolve}
    }
  }

  /**
   * A reload right after another finds no spare while the generation replaced last still ends:
   * waiting a little for that worker's exit costs less than a cold worker in a fresh arena.
   */
  private async replacedWorkerExit(): Promise<void> {
    if (this.deferredSpare === undefined) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.deferredSpare.exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, SPARE_WAIT_MS)))])
    clearTimeout(timer)
  }

  private exited(service: string, generation: WorkerGeneration): void {
    const generations = this.live.get(service)
    generations?.delete(generation)
    if (generations?.size === 0) this.live.delete(service)
    const deferred = this.deferredSpare
    this.deferredSpare = undefined
    // A failed load ends its worker too: a spare replaces the one it used up. None is booted
    // once no generation is left (the host stops).
    if ((deferred !== undefined || !generation.loaded) && this.live.size > 0) this.keepSpare()
    deferred?.resolve()
  }

  private keepSpare(): void {
    if (this.spare !== undefined || this.closed) return
    const spare = bootWorker()
    // A spare never holds the host open, and one that dies is simply not used.
    spare.unref()
    spare.once('exit', () => {
      if (this.spare === spare) this.spare = undefined
    })
    this.spare = spare
  }
}

/** How long a reload waits for the spare that boots when the replaced generation's worker exits. */
const SPARE_WAIT_MS = 250

function bootWorker(): Worker {
  return new Worker(workerFile, {stdout: false, stderr: false})
}

class WorkerGeneration implements Generation {
  readonly number: number
  contract!: GenerationContract
  private readonly port: PortRpc
  private readonly heldLocks = new Map<number, () => void>()
  private nextLockId = 0
  private ending = false
  private exitListener: ((error: Error) => void) | undefined
  private exitError: Error | undefined
  private readonly pluginDirs = new Set<string>()
  /** Whether the worker loaded its generation (a failed load still ends the worker). */
  loaded = false

  constructor(
    private readonly spec: GenerationSpec,
    private readonly worker: Worker,
    {store, rpc, config}: WorkerGenerationsOptions,
    onWorkerExit: () => void,
  ) {
    this.number = spec.number
    const {log} = spec
    this.port = new PortRpc(worker)
      .onNote('log', (note) => {
        const {level, message, fields} = note as LogNote
        log[level](message, fields)
      })
      .onNote('plugin-loaded', (dir) => {
        this.pluginDirs.add(dir as string)
        this.contract = {...this.contract, pluginDirs: [...this.pluginDirs]}
      })
      .onNote('unlock', (lockId) => this.releaseLock(lockId as number))
      .onNote('driver-call', (call) => spec.onDriverCall?.(call as DriverCallRecord))
      .handle('rpc.call', (arg) => {
        const {options, ctx, method, args} = arg as RpcRequest
        return rpc.prepare(options).call(ctx, method, args)
      })
      .handle('rpc.cast', (arg) => {
        const {options, ctx, method, args} = arg as RpcRequest
        return rpc.prepare(options).cast(ctx, method, args)
      })
      .handle('store', (arg) => {
        const {plugin, collection, method, args} = arg as StoreRequest
        const target = store.collection(plugin, collection) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
        if (typeof target[method] !== 'function') throw new StewardError('PROTOCOL_ERROR', `No store method "${method}".`)
        return target[method](...args)
      })
      .handle('services', (query) => readServices(store, config, query as ServiceQuery))
      .handle('lock', (arg) => this.takeLock(arg as {name: string; options?: {blocking?: boolean; timeout?: number}}))
    worker.on('error', (error) => {
      this.exitError = error
    })
    worker.on('exit', (code) => {
      const error =
        this.exitError ?? new StewardError('GENERATION_CRASHED', `Generation ${this.number} of ${spec.managerName} exited with code ${code}.`, {data: {generation: this.number, exitCode: code}})
      this.port.close(new StewardError('GENERATION_CRASHED', `Generation ${this.number} of ${spec.managerName} has ended: ${describeError(error)}`, {cause: error, data: {generation: this.number}}))
      for (const release of this.heldLocks.values()) release()
      this.heldLocks.clear()
      onWorkerExit()
      if (!this.ending) this.exitListener?.(error)
    })
  }

  async load(data: GenerationWorkerData): Promise<void> {
    this.worker.ref()
    this.contract = await this.port.request<GenerationContract>('load', data)
    for (const dir of this.contract.pluginDirs) this.pluginDirs.add(dir)
    this.loaded = true
  }

  /** Take the service's lock for the worker; it is released by an `unlock` note or the worker's end. */
  private takeLock({name, options}: {name: string; options?: {blocking?: boolean; timeout?: number}}): Promise<number> {
    const lockId = ++this.nextLockId
    return new Promise((resolve, reject) => {
      this.spec
        .synchronized(
          name,
          () =>
            new Promise<void>((release) => {
              this.heldLocks.set(lockId, release)
              resolve(lockId)
            }),
          options,
        )
        .catch(reject)
    })
  }

  private releaseLock(lockId: number): void {
    this.heldLocks.get(lockId)?.()
    this.heldLocks.delete(lockId)
  }

  initHost(serviceId: number): Promise<void> {
    return this.port.request('initHost', serviceId)
  }

  initHostWithRpc(serviceId: number): Promise<void> {
    return this.port.request('initHostWithRpc', serviceId)
  }

  isServiceReady(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new StewardError('GENERATION_UNRESPONSIVE', `Generation ${this.number} of ${this.spec.managerName} did not answer within ${timeoutMs} ms (a busy loop?).`, {data: {generation: this.number, timeoutMs}}))
      }, timeoutMs)
      this.port.request<boolean>('isServiceReady').then(
        (ready) => {
          clearTimeout(timer)
          resolve(ready)
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(error)
        },
      )
    })
  }

  dispatch(ctx: Parameters<Generation['dispatch']>[0], method: string, args: Record<string, unknown>): Promise<unknown> {
    return this.port.request('dispatch', {ctx, method, args})
  }

  runPeriodicTasks(ctx: Parameters<Generation['runPeriodicTasks']>[0]): Promise<number> {
    return this.port.request('runPeriodicTasks', ctx)
  }

  details(): ReturnType<Generation['details']> {
    return this.port.request('details')
  }

  stopPeriodicTasks(options: {graceful: boolean; timeoutMs: number}): Promise<boolean> {
    return this.port.request('stopPeriodicTasks', options)
  }

  cleanupHost(): Promise<void> {
    return this.port.request('cleanupHost')
  }

  async end(): Promise<void> {
    this.ending = true
    await this.worker.terminate()
  }

  onExit(listener: (error: Error) => void): void {
    this.exitListener = listener
  }
}
