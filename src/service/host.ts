import path from 'node:path'
import {apiSettings, isApiName, readApiToken, type ApiName} from '../api/api-settings.js'
import {backendNames} from '../config/backend-sections.js'
import type {StewardConfig} from '../config/load-config.js'
import {StewardError, describeError, errorCatalog, isStewardError, type ErrorCode} from '../errors/index.js'
import type {Logger, LogRecord} from '../log/logger.js'
import {PeriodicLoop} from '../manager/periodic-loop.js'
import type {HostMetrics} from '../metrics/host-metrics.js'
import {feedEndpointFor} from '../monitor/feed-endpoint.js'
import {FeedPublisher} from '../monitor/feed-publisher.js'
import {HostSnapshotBuilder} from '../monitor/host-snapshot.js'
import type {GenerationFactory} from '../plugins/generation.js'
import {InlineGenerations} from '../plugins/inline-generations.js'
import type {PluginManifest} from '../plugins/discover-plugins.js'
import {PluginRegistry, stewardVersion} from '../plugins/plugin-registry.js'
import {PluginWatcher, type PluginChange} from '../plugins/plugin-watcher.js'
import {UserPluginsWatcher} from '../plugins/user-plugins-watcher.js'
import {startHostProfiler} from '../profiler/host-profiler.js'
import {activeTracing} from '../profiler/tracing.js'
import {WorkerGenerations} from '../plugins/worker-generations.js'
import {hostEndpoint} from '../rpc/endpoint.js'
import {readKeyFile} from '../rpc/key-file.js'
import type {RpcClient} from '../rpc/context.js'
import {LocalDispatcher} from '../rpc/local-dispatcher.js'
import {createRpcClient} from '../rpc/rpc-client-factory.js'
import {RpcServer} from '../rpc/server.js'
import {openStore} from '../store/index.js'
import type {ApiEndpointRecord} from '../store/types.js'
import {acquireHostLock, type HostLock} from './host-lock.js'
import {applyReloadedConfig} from './reloaded-config.js'
import type {ApiService, ApiServiceOptions} from './api-service.js'
import type {ApiWorkers} from './api-workers.js'
import {listenHostTopic, type HostControl, type MetricsFormat, type ServiceSummary} from './host-topic.js'
import type {HostContext} from './host-context.js'
import {Service, type ServiceOptions} from './service.js'

export interface HostOptions {
  config: StewardConfig
  /** Topics to run; the configured `services` when empty. `api` runs the HTTP API (docs/api.md). */
  topics: readonly string[]
  log: Logger
  /**
   * The listeners of the logger's records (LoggerOptions.listeners): the host adds its telemetry
   * feed's, so monitors get the host's log lines.
   */
  logListeners?: Array<(record: LogRecord) => void>
  /** Read the configuration again, as it was loaded (flags, environment, file): what SIGHUP applies (reset()). */
  reloadConfig?: () => StewardConfig
}

/**
 * One steward process: the state store, the plugin registry, the RPC server and client, the
 * plugin watcher, and the services it runs. The RPC endpoint is bound and recorded in the store's
 * `hosts` before any service starts, so a service that is up can always be reached. Services can
 * be started, stopped and reloaded while the host runs, through its own topic (`host.<name>`).
 */
export class Host implements HostControl {
  private readonly running = new Map<string, Service>()
  /** The HTTP APIs this host serves, by name (`api`). */
  private readonly apis = new Map<string, HostedApi>()
  private heartbeat: PeriodicLoop | undefined
  private watcher: PluginWatcher | undefined
  private userPluginsWatcher: UserPluginsWatcher | undefined
  /** The plugins found last, by directory: what installs and uninstalls are told from. */
  private knownPlugins = new Map<string, PluginManifest>()
  private unlistenHostTopic: (() => void) | undefined
  private stopping: Promise<void> | undefined
  /** The claim on this host's name (its pid file), held from start() to the end of stop(). */
  private instanceLock: HostLock | undefined
  private reloadConfig: (() => StewardConfig) | undefined
  /** Flushes and stops the profiler; undefined while it is off. */
  private stopProfiler: (() => Promise<void>) | undefined
  private markStopped!: () => void
  private readonly stopped = new Promise<void>((resolve) => {
    this.markStopped = resolve
  })

  private readonly snapshots = new HostSnapshotBuilder(() => ({name: this.name, endpoint: this.server.endpoint, services: this.services}))
  /** Loaded at the first scrape: a host nobody scrapes never loads prom-client. */
  private hostMetrics: Promise<HostMetrics> | undefined

  private constructor(
    private readonly context: HostContext,
    private readonly server: RpcServer,
    /** The telemetry feed for monitors (docs/protocol.md, "Telemetry feed"). */
    private readonly feed: FeedPublisher,
    private readonly closeClient: (lingerMs?: number) => Promise<void>,
    private readonly peerConnections: () => number,
    topics: readonly string[],
    apis: readonly HostedApi[],
  ) {
    for (const topic of topics) {
      for (const unit of serviceUnits(context.config, topic)) {
        const service = Service.create(context, unit)
        this.running.set(service.key, service)
      }
    }
    for (const api of apis) this.apis.set(api.name, api)
  }

  get name(): string {
    return this.context.config.options.host
  }

  /** The host's RPC client: calls from the host's own process, such as its dashboard's. */
  get rpc(): RpcClient {
    return this.context.rpc
  }

  /** The services this host runs now. */
  get services(): Service[] {
    return [...this.running.values()]
  }

  /** Where the HTTP APIs of this host listen (those that have started). */
  get apiEndpoints(): ApiEndpointRecord[] {
    return [...this.apis.values()].flatMap((api) => (api.endpoint === undefined ? [] : [api.endpoint]))
  }

  static async open(options: HostOptions): Promise<Host> {
    const {config, topics, log} = options
    const wanted = topics.length > 0 ? [...new Set(topics)] : config.options.services
    if (wanted.length === 0) {
      throw new StewardError('TOPIC_NOT_CONFIGURED', 'No services to start.', {
        suggestions: ['Name the topics to run (`steward start sysinfo`), or list them in the "services" option of steward.json.'],
      })
    }
    // An API that would listen beyond loopback without a token stops the host here, before it binds anything.
    const apiNames = wanted.filter(isApiName)
    for (const name of apiNames) readApiToken(apiSettings(config.options, name))
    // Before anything is opened or bound: a second host of this name would take over the first one's socket.
    const instanceLock = await acquireHostLock(config.options.state_dir, config.options.host, log)
    try {
      const host = await Host.openClaimed(options, wanted, apiNames)
      host.instanceLock = instanceLock
      return host
    } catch (error) {
      await instanceLock.release()
      throw error
    }
  }

  private static async openClaimed({config, log, logListeners, reloadConfig}: HostOptions, wanted: string[], apiNames: ApiName[]): Promise<Host> {
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
    const {client, close, peerConnections} = createRpcClient({config, store, log, local: dispatcher})
    const generations: GenerationFactory =
      options.plugin_isolation === 'worker' ? new WorkerGenerations({config, store, rpc: client}) : new InlineGenerations({source: registry, config, store, rpc: client})
    const feed: FeedPublisher = new FeedPublisher({
      host: options.host,
      log,
      snapshot: () => host.snapshots.build(),
      allowedClients: options.rpc_curve_allowed_clients,
      ...(serverKeys === undefined ? {} : {curve: serverKeys}),
    })
    logListeners?.push(feed.logListener)
    const onReload: HostContext['onReload'] = (service, record) => feed.reloaded(service, record)
    const apis: HostedApi[] = []
    if (apiNames.length > 0) {
      // Loaded only by a host that serves an API: the others never pay for the HTTP framework.
      for (const name of apiNames) apis.push(await createApi({name, config, store, rpc: client, log, routes: registry, hostRecord: options.host}))
    }
    const topicsToRun = wanted.filter((topic) => !isApiName(topic))
    const host = new Host({config, store, generations, log, dispatcher, rpc: client, onReload}, server, feed, close, peerConnections, topicsToRun, apis)
    if (options.plugin_isolation === 'worker' && options.plugin_watch) {
      host.watcher = new PluginWatcher({log, onChange: (change) => void host.pluginChanged(change)})
    }
    host.knownPlugins = new Map(registry.plugins.map((plugin) => [plugin.dir, plugin]))
    host.reloadConfig = reloadConfig
    host.userPluginsWatcher = new UserPluginsWatcher(() => void host.userPluginsChanged(), log)
    return host
  }

  async start(): Promise<void> {
    const {store, log, dispatcher} = this.context
    this.stopProfiler = await startHostProfiler(this.context.config.options, log)
    const endpoint = await this.server.bind()
    const feedEndpoint = await this.bindFeed(endpoint)
    const now = new Date().toISOString()
    await store.putHost({
      name: this.name,
      endpoint,
      ...(feedEndpoint === undefined ? {} : {feedEndpoint}),
      publicKey: this.server.publicKey,
      pid: process.pid,
      version: stewardVersion,
      startedAt: now,
      updatedAt: now,
      stoppedAt: null,
    })
    const apis = [...this.apis.values()]
    log.info(`host ${this.name} starting ${[...this.services.map((service) => (service.backend === undefined ? service.binary : `${service.binary}@${service.backend}`)), ...apis.map((api) => `steward-${api.name}`)].join(', ')}`, {state: store.location, endpoint, feed: feedEndpoint ?? null})
    this.unlistenHostTopic = listenHostTopic(dispatcher, this)
    // A service or API that fails to start is logged and left out; the host runs on with the
    // others, and fails only when none starts. APIs start once the services listen, so they never
    // answer for a local service that is not there yet.
    const services = this.services
    const results = await Promise.allSettled(services.map((service) => service.start()))
    const failures: unknown[] = []
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') return
      const service = services[index]!
      failures.push(result.reason)
      this.running.delete(service.key)
      log.error(describeError(result.reason), {code: isStewardError(result.reason) ? result.reason.code : 'HOST_START_FAILED', binary: service.binary})
    })
    const apiResults = await Promise.allSettled(apis.map((api) => api.start()))
    apiResults.forEach((result, index) => {
      if (result.status === 'fulfilled') return
      const api = apis[index]!
      failures.push(result.reason)
      this.apis.delete(api.name)
      log.error(describeError(result.reason), {code: isStewardError(result.reason) ? result.reason.code : 'HOST_START_FAILED', binary: `steward-${api.name}`})
    })
    if (failures.length === services.length + apis.length) {
      await this.stop({graceful: false})
      throw failures[0]
    }
    await this.watchPlugins()
    await this.userPluginsWatcher?.start()
    this.heartbeat = new PeriodicLoop({
      name: 'host heartbeat',
      interval: this.context.config.options.report_interval,
      initialDelay: this.context.config.options.report_interval,
      tick: async () => void (await store.updateHost(this.name, {updatedAt: new Date().toISOString()})),
      logger: log,
    })
    this.heartbeat.start()
    log.info(`host ${this.name} running`)
  }

  /** Bind the telemetry feed beside the RPC endpoint; a host without one runs on, unmonitored. */
  private async bindFeed(rpcEndpoint: string): Promise<string | undefined> {
    try {
      return await this.feed.bind(feedEndpointFor(rpcEndpoint))
    } catch (error) {
      this.context.log.warn(`no telemetry feed: monitors will show host ${this.name} without telemetry (${describeError(error)})`)
      return undefined
    }
  }

  /**
   * Start a service of this topic (or the HTTP API, `api`) while the host runs. A topic with
   * `backends` starts each backend that is not running; `topic@backend` names one of them.
   */
  async startService(topic: string): Promise<ServiceSummary> {
    if (this.stopping !== undefined) throw new StewardError('NO_SERVICE_AVAILABLE', `Host ${this.name} is stopping.`)
    if (isApiName(topic)) return this.startApi(topic)
    const units = serviceUnits(this.context.config, topic)
    const idle = units.filter((unit) => {
      const existing = this.running.get(unitKey(unit))
      return existing === undefined || existing.state === 'stopped'
    })
    if (idle.length === 0) {
      const existing = this.running.get(unitKey(units[0]!))!
      throw new StewardError('SERVICE_ALREADY_RUNNING', `Service ${existing.binary} already runs on ${existing.host} (${existing.state}).`, {data: {host: this.name, topic}})
    }
    const summaries: ServiceSummary[] = []
    for (const unit of idle) {
      const service = Service.create(this.context, unit)
      this.running.set(service.key, service)
      try {
        await service.start()
      } catch (error) {
        this.running.delete(service.key)
        this.context.log.error(describeError(error), {code: isStewardError(error) ? error.code : 'HOST_START_FAILED', binary: service.binary})
        throw error
      }
      summaries.push(this.summary(service))
    }
    await this.watchPlugins()
    return summaries[0]!
  }

  /**
   * Stop a service of this host (or its HTTP API), gracefully; its record reads stopped. A topic
   * with backends stops all of them; `topic@backend` one.
   */
  async stopService(topic: string): Promise<ServiceSummary> {
    const api = this.apis.get(topic)
    if (api !== undefined) {
      await api.stop({graceful: true})
      this.apis.delete(topic)
      return this.apiSummary(api)
    }
    const services = this.servicesNamed(topic)
    await Promise.all(services.map((service) => service.stop({graceful: true})))
    for (const service of services) this.running.delete(service.key)
    return this.summary(services[0]!)
  }

  /**
   * Load the service's plugin code anew in a new generation and swap it in. For the HTTP API: build
   * its application anew (token file, plugins' routes) and swap it in without closing the port.
   */
  async reloadService(topic: string, trigger = 'reload requested'): Promise<ServiceSummary> {
    const api = this.apis.get(topic)
    if (api !== undefined) {
      await api.reset({routes: PluginRegistry.discover(this.context.config.options)})
      return this.apiSummary(api)
    }
    const services = this.servicesNamed(topic)
    const records = await Promise.all(services.map((service) => service.reload(trigger)))
    await this.watchPlugins()
    const summaries = services.map((service) => this.summary(service))
    for (const [index, record] of records.entries()) {
      if (record.ok) continue
      const service = services[index]!
      const summary = summaries[index]!
      const code = record.code !== undefined && Object.hasOwn(errorCatalog, record.code) ? (record.code as ErrorCode) : 'PLUGIN_LOAD_FAILED'
      throw new StewardError(code, `Reload of ${service.binary} on ${service.host} failed: ${record.error}; generation ${summary.generation?.generation} keeps serving.`, {data: {...summary}})
    }
    return summaries[0]!
  }

  private async startApi(name: ApiName): Promise<ServiceSummary> {
    const existing = this.apis.get(name)
    if (existing !== undefined && existing.state !== 'stopped') {
      throw new StewardError('SERVICE_ALREADY_RUNNING', `Host ${this.name} already serves the ${name} API (${existing.state}).`, {data: {host: this.name, topic: name}})
    }
    const {config, store, rpc, log} = this.context
    const api = await createApi({name, config, store, rpc, log, routes: PluginRegistry.discover(config.options), hostRecord: this.name})
    this.apis.set(name, api)
    try {
      await api.start()
    } catch (error) {
      this.apis.delete(name)
      throw error
    }
    return this.apiSummary(api)
  }

  /** The HTTP API as the host topic reports services. */
  private apiSummary(api: HostedApi): ServiceSummary {
    return {topic: api.name, binary: `steward-${api.name}`, host: this.name, manager: '(http api)', state: api.state, generation: null}
  }

  /** The host's Prometheus metrics (docs/observability.md): the text format, or prom-client's JSON. */
  async metrics(format: MetricsFormat): Promise<unknown> {
    this.hostMetrics ??= import('../metrics/host-metrics.js').then(
      ({HostMetrics}) =>
        new HostMetrics(() => ({
          name: this.name,
          services: this.services,
          store: this.context.store.stats,
          refused: this.server.refused,
          peerConnections: this.peerConnections(),
          ...(activeTracing === undefined ? {} : {newTraces: activeTracing.newTraces()}),
        })),
    )
    const metrics = await this.hostMetrics
    return format === 'text' ? metrics.text() : metrics.json()
  }

  summary(service: Service): ServiceSummary {
    return {topic: service.topic, binary: service.binary, host: service.host, manager: service.managerName, state: service.state, generation: service.generationStatus() ?? null}
  }

  /** Stop every service, concurrently, then the RPC endpoint, and close the store. Once. */
  stop({graceful = true}: {graceful?: boolean} = {}): Promise<void> {
    this.stopping ??= this.stopInOrder(graceful)
    return this.stopping
  }

  private async stopInOrder(graceful: boolean): Promise<void> {
    const {store, log} = this.context
    await this.watcher?.close()
    await this.userPluginsWatcher?.close()
    // The APIs first: their requests in flight may still call the services.
    await Promise.all([...this.apis.values()].map((api) => api.stop({graceful})))
    await Promise.all(this.services.map((service) => service.stop({graceful})))
    await this.context.generations.close()
    this.unlistenHostTopic?.()
    await this.heartbeat?.stop()
    await this.feed.close()
    await this.server.close()
    await this.closeClient(1000)
    await this.stopProfiler?.()
    try {
      await store.updateHost(this.name, {stoppedAt: new Date().toISOString()})
    } catch (error) {
      log.warn('could not record the host stop in the state store', {error})
    }
    await store.close()
    await this.instanceLock?.release()
    this.markStopped()
  }

  /**
   * SIGHUP (Manila's launcher restart, in its "mutate" form): read the configuration again, then
   * reload every service in a new generation and rebuild every API's application, each swapped in
   * once ready, so no call or request is dropped. Topic sections and plugins take effect; options
   * that shape the process (host, state_dir, rpc_*, plugin_isolation, intervals, log_*, the API's
   * address) keep their values until the next start, and the log says so.
   */
  async reset(): Promise<void> {
    const {config, log} = this.context
    if (this.reloadConfig !== undefined) applyReloadedConfig(config, this.reloadConfig(), log)
    const routes = PluginRegistry.discover(config.options)
    const results = await Promise.allSettled([
      ...this.services.filter((service) => service.state === 'running').map((service) => service.reload('SIGHUP')),
      ...[...this.apis.values()].map((api) => api.reset({config, routes})),
    ])
    await this.watchPlugins()
    const failed = results.filter((result) => result.status === 'rejected' || (result.value !== undefined && !result.value.ok))
    if (failed.length > 0) throw new StewardError('PLUGIN_LOAD_FAILED', `${failed.length} service(s) could not reload; they keep serving as they were (see the log).`)
  }

  /** Resolves when the host has stopped. */
  wait(): Promise<void> {
    return this.stopped
  }

  /** The running services a name means: `topic@backend` one backend, a topic all its services. */
  private servicesNamed(topic: string): Service[] {
    const named = this.running.get(topic)
    const services = named === undefined ? this.services.filter((service) => service.topic === topic) : [named]
    if (services.length === 0) {
      throw new StewardError('SERVICE_NOT_FOUND', `Host ${this.name} runs no service of topic ${topic}.`, {
        data: {host: this.name, topic, running: [...this.running.keys()]},
        suggestions: [`Start it: steward services start ${topic} --host ${this.name}`],
      })
    }
    return services
  }

  /** Watch the plugins the services' generations loaded code from. */
  private async watchPlugins(): Promise<void> {
    await this.watcher?.watch(this.services.flatMap((service) => service.generationStatus()?.pluginDirs ?? []))
  }

  /**
   * `steward plugins install|link|uninstall` changed the user plugins. New plugins need nothing:
   * every generation discovers plugins afresh, so `steward services start` finds them. The
   * services of a plugin that is gone are stopped gracefully, before npm deletes its files.
   */
  private async userPluginsChanged(): Promise<void> {
    const {config, log} = this.context
    let found: readonly PluginManifest[]
    try {
      found = PluginRegistry.discover(config.options).plugins
    } catch (error) {
      log.warn('the user plugins manifest cannot be read yet; keeping the plugins known before', {error})
      return
    }
    const now = new Map(found.map((plugin) => [plugin.dir, plugin]))
    for (const plugin of now.values()) {
      if (!this.knownPlugins.has(plugin.dir)) log.info(`plugin ${plugin.name} ${plugin.version} is available (${plugin.source}): managers [${plugin.managers.join(', ')}], drivers [${plugin.drivers.join(', ')}]`)
    }
    const gone = [...this.knownPlugins.values()].filter((plugin) => !now.has(plugin.dir))
    this.knownPlugins = now
    for (const plugin of gone) {
      log.info(`plugin ${plugin.name} was removed (${plugin.source})`)
      const users = this.services.filter((service) => service.generationStatus()?.pluginDirs.includes(plugin.dir))
      await Promise.all(
        users.map(async (service) => {
          log.warn(`stopping ${service.binary}: its plugin ${plugin.name} was removed`)
          await this.stopService(service.key).catch((error: unknown) => log.warn(`could not stop ${service.binary}`, {error}))
        }),
      )
    }
  }

  /** A plugin's file was saved: reload every service whose generation uses that plugin. */
  private async pluginChanged({pluginDir, file}: PluginChange): Promise<void> {
    const trigger = path.relative(process.cwd(), file) || file
    const affected = this.services.filter((service) => service.state === 'running' && service.generationStatus()?.pluginDirs.includes(pluginDir))
    await Promise.all(affected.map((service) => service.reload(trigger).catch(() => undefined)))
    await this.watchPlugins()
  }
}

/**
 * The services a topic name runs as: one, or one per backend of the topic's `backends`
 * (`topic@backend` names one backend).
 */
function serviceUnits(config: StewardConfig, name: string): Array<Pick<ServiceOptions, 'topic' | 'backend'>> {
  const at = name.indexOf('@')
  const topic = at === -1 ? name : name.slice(0, at)
  const backends = backendNames(config, topic)
  if (at === -1) return backends.length === 0 ? [{topic}] : backends.map((backend) => ({topic, backend}))
  const backend = name.slice(at + 1)
  if (!backends.includes(backend)) {
    throw new StewardError('SERVICE_NOT_FOUND', `Topic ${topic} has no backend "${backend}"${backends.length === 0 ? '' : `; its backends are ${backends.join(', ')}`}.`, {
      data: {topic, backend, backends},
      suggestions: [`Configure it: "${topic}": {"backends": {"${backend}": {…}}}`],
    })
  }
  return [{topic, backend}]
}

function unitKey(unit: Pick<ServiceOptions, 'topic' | 'backend'>): string {
  return unit.backend === undefined ? unit.topic! : `${unit.topic}@${unit.backend}`
}

/** An HTTP API as the host runs it: in its own process, or in `<name>_workers` processes. */
type HostedApi = ApiService | ApiWorkers

/** Loaded only by a host that serves an API: the others never pay for the HTTP framework. */
async function createApi(options: ApiServiceOptions & {name: ApiName; hostRecord: string}): Promise<HostedApi> {
  const workers = apiSettings(options.config.options, options.name).workers
  if (workers > 1) {
    const {ApiWorkers} = await import('./api-workers.js')
    return new ApiWorkers({...options, workers})
  }
  const {ApiService} = await import('./api-service.js')
  return ApiService.create(options)
}
