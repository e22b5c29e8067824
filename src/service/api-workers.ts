import {fileURLToPath} from 'node:url'
import type {ApiName} from '../api/api-settings.js'
import type {StewardConfig} from '../config/load-config.js'
import type {Logger} from '../log/logger.js'
import type {ApiEndpointRecord, StateStore} from '../store/types.js'
import {forgetApiEndpoint, recordApiEndpoint} from './api-endpoint-record.js'
import type {ApiWorkerOptions} from './api-worker.js'
import {ProcessLauncher, type WorkerStatus} from './launcher/process-launcher.js'

type Lifecycle = 'created' | 'starting' | 'running' | 'stopping' | 'stopped'

export interface ApiWorkersOptions {
  name: ApiName
  config: StewardConfig
  store: StateStore
  log: Logger
  workers: number
  /** The host whose record gets the endpoint and the workers. */
  hostRecord: string
}

/**
 * The HTTP API served by `<name>_workers` processes (Manila's WSGIService under a ProcessLauncher),
 * as the host runs it: the same start / stop / wait / reset as an ApiService in the host's own
 * process. The host records the endpoint once a worker listens, and the workers' states (so
 * `steward status` shows an errored one). reset() replaces the workers one by one: each new one
 * reads the configuration anew and is listening before the old one stops gracefully.
 */
export class ApiWorkers {
  readonly name: ApiName
  private lifecycle: Lifecycle = 'created'
  private readonly launcher: ProcessLauncher
  private endpointRecord: ApiEndpointRecord | undefined
  private recording: Promise<void> = Promise.resolve()

  constructor(private readonly options: ApiWorkersOptions) {
    this.name = options.name
    const {config, log, store, hostRecord} = options
    const workerOptions: ApiWorkerOptions = {
      name: options.name,
      flags: {...(config.file === undefined ? {} : {config: config.file}), host: config.options.host, state_dir: config.options.state_dir},
      cwd: process.cwd(),
    }
    this.launcher = new ProcessLauncher({
      log,
      logLevel: config.options.log_level,
      gracefulTimeoutMs: config.options.graceful_shutdown_timeout * 1000,
      minUptimeMs: config.options.worker_min_uptime * 1000,
      maxRestarts: config.options.worker_max_restarts,
      onReady: (_worker, endpoint) => {
        if (endpoint === undefined || JSON.stringify(endpoint) === JSON.stringify(this.endpointRecord)) return
        this.endpointRecord = endpoint as ApiEndpointRecord
        this.record(() => recordApiEndpoint(store, hostRecord, this.endpointRecord!, log))
      },
      onChange: (workers: WorkerStatus[]) => this.record(() => store.updateHost(hostRecord, {workers}).then(() => undefined)),
    })
    this.launcher.launchService({name: options.name, module: fileURLToPath(new URL('api-worker.js', import.meta.url)), options: workerOptions}, options.workers)
  }

  get state(): Lifecycle {
    return this.lifecycle
  }

  get endpoint(): ApiEndpointRecord | undefined {
    return this.endpointRecord
  }

  /** Store writes in order, none failing the caller. */
  private record(write: () => Promise<void>): void {
    this.recording = this.recording.then(write).catch((error: unknown) => this.options.log.warn('could not record the API workers in the host record', {error}))
  }

  async start(): Promise<void> {
    this.lifecycle = 'starting'
    try {
      await this.launcher.start()
    } catch (error) {
      this.lifecycle = 'stopped'
      throw error
    }
    await this.recording
    this.lifecycle = 'running'
    this.options.log.info(`API listening on ${this.endpointRecord?.url ?? '(unknown)'} in ${this.options.workers} worker processes`)
  }

  async stop({graceful = true}: {graceful?: boolean} = {}): Promise<void> {
    if (this.lifecycle === 'stopped' || this.lifecycle === 'created') return
    this.lifecycle = 'stopping'
    await this.launcher.stop({graceful})
    const {store, hostRecord, log} = this.options
    this.record(async () => {
      await forgetApiEndpoint(store, hostRecord, this.name, log)
      await store.updateHost(hostRecord, {workers: []})
    })
    await this.recording
    this.lifecycle = 'stopped'
  }

  wait(): Promise<void> {
    return this.launcher.wait()
  }

  /** New workers read the configuration and plugins anew; the arguments are the host's, unused here. */
  async reset(_given?: unknown): Promise<void> {
    await this.launcher.reset()
  }
}
