import type {StewardConfig} from '../config/load-config.js'
import {StewardError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'
import {PeriodicLoop} from '../manager/periodic-loop.js'
import {InlineGenerations} from '../plugins/inline-generations.js'
import {PluginRegistry, stewardVersion} from '../plugins/plugin-registry.js'
import {WorkerGenerations} from '../plugins/worker-generations.js'
import {hostEndpoint} from '../rpc/endpoint.js'
import {readKeyFile} from '../rpc/key-file.js'
import {LocalDispatcher} from '../rpc/local-dispatcher.js'
import {createRpcClient} from '../rpc/rpc-client-factory.js'
import {RpcServer} from '../rpc/server.js'
import {openStore} from '../store/index.js'
import type {StateStore} from '../store/types.js'
import {Service} from './service.js'

export interface HostOptions {
  config: StewardConfig
  /** Topics to run; the configured `services` when empty. */
  topics: readonly string[]
  log: Logger
}

/**
 * One steward process: the state store, the plugin registry, the RPC server and client, and the
 * services it runs. The RPC endpoint is bound and recorded in the store's `hosts` before any
 * service starts, so a service that is up can always be reached.
 */
export class Host {
  readonly services: readonly Service[]
  private heartbeat: PeriodicLoop | undefined
  private stopping: Promise<void> | undefined

  private constructor(
    private readonly config: StewardConfig,
    private readonly store: StateStore,
    private readonly server: RpcServer,
    private readonly closeClient: (lingerMs?: number) => Promise<void>,
    services: Service[],
    private readonly log: Logger,
  ) {
    this.services = services
  }

  get name(): string {
    return this.config.options.host
  }

  static async open({config, topics, log}: HostOptions): Promise<Host> {
    const wanted = topics.length > 0 ? [...new Set(topics)] : config.options.services
    if (wanted.length === 0) {
      throw new StewardError('TOPIC_NOT_CONFIGURED', 'No services to start.', {
        suggestions: ['Name the topics to run (`steward start sysinfo`), or list them in the "services" option of steward.json.'],
      })
    }
    const registry = PluginRegistry.discover(config.options)
    for (const problem of registry.problems) log.warn(problem.error.message, {code: problem.error.code})
    const {options} = config
    const endpoint = hostEndpoint(options)
    const serverKeys = options.rpc_curve_server_key === '' ? undefined : readKeyFile(options.rpc_curve_server_key)
    const store = await openStore({stateDir: options.state_dir, create: true, lockTimeoutMs: options.store_lock_timeout * 1000})
    const dispatcher = new LocalDispatcher()
    const server = new RpcServer({
      endpoint,
      dispatcher,
      log,
      host: options.host,
      maxMessageSize: options.rpc_max_message_size,
      allowedClients: options.rpc_curve_allowed_clients,
      ...(serverKeys === undefined ? {} : {curve: serverKeys}),
    })
    const {client, close} = createRpcClient({config, store, log, local: dispatcher})
    const generations =
      options.plugin_isolation === 'worker' ? new WorkerGenerations({config, store, rpc: client}) : new InlineGenerations({source: registry, config, store, rpc: client})
    const hostContext = {config, store, generations, log, dispatcher, rpc: client}
    const services = wanted.map((topic) => Service.create(hostContext, {topic}))
    return new Host(config, store, server, close, services, log)
  }

  async start(): Promise<void> {
    const endpoint = await this.server.bind()
    const now = new Date().toISOString()
    await this.store.putHost({
      name: this.name,
      endpoint,
      publicKey: this.server.publicKey,
      pid: process.pid,
      version: stewardVersion,
      startedAt: now,
      updatedAt: now,
      stoppedAt: null,
    })
    this.log.info(`host ${this.name} starting ${this.services.map((service) => service.binary).join(', ')}`, {state: this.store.location, endpoint})
    const results = await Promise.allSettled(this.services.map((service) => service.start()))
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')
    if (failed !== undefined) {
      await this.stop({graceful: false})
      throw failed.reason
    }
    this.heartbeat = new PeriodicLoop({
      name: 'host heartbeat',
      interval: this.config.options.report_interval,
      initialDelay: this.config.options.report_interval,
      tick: async () => void (await this.store.updateHost(this.name, {updatedAt: new Date().toISOString()})),
      logger: this.log,
    })
    this.heartbeat.start()
    this.log.info(`host ${this.name} running`)
  }

  /** Stop every service, concurrently, then the RPC endpoint, and close the store. Once. */
  stop({graceful = true}: {graceful?: boolean} = {}): Promise<void> {
    this.stopping ??= this.stopInOrder(graceful)
    return this.stopping
  }

  private async stopInOrder(graceful: boolean): Promise<void> {
    await Promise.all(this.services.map((service) => service.stop({graceful})))
    await this.heartbeat?.stop()
    await this.server.close()
    await this.closeClient(1000)
    try {
      await this.store.updateHost(this.name, {stoppedAt: new Date().toISOString()})
    } catch (error) {
      this.log.warn('could not record the host stop in the state store', {error})
    }
    await this.store.close()
  }

  /** Resolves when every service has stopped. */
  async wait(): Promise<void> {
    await Promise.all(this.services.map((service) => service.wait()))
  }
}
