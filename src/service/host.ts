import type {StewardConfig} from '../config/load-config.js'
import {StewardError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'
import {PluginRegistry} from '../plugins/plugin-registry.js'
import {LocalDispatcher} from '../rpc/local-dispatcher.js'
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
 * One steward process: the state store, the plugin registry, local RPC delivery and the services
 * it runs. Services start together; if one fails to start, the others are stopped again.
 */
export class Host {
  readonly services: readonly Service[]

  private constructor(
    readonly name: string,
    private readonly store: StateStore,
    services: Service[],
    private readonly log: Logger,
  ) {
    this.services = services
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
    const store = await openStore({
      stateDir: config.options.state_dir,
      create: true,
      lockTimeoutMs: config.options.store_lock_timeout * 1000,
    })
    const hostContext = {config, store, managers: registry, log, rpc: new LocalDispatcher(log)}
    const services = wanted.map((topic) => Service.create(hostContext, {topic}))
    return new Host(config.options.host, store, services, log)
  }

  async start(): Promise<void> {
    this.log.info(`host ${this.name} starting ${this.services.map((service) => service.binary).join(', ')}`, {state: this.store.location})
    const results = await Promise.allSettled(this.services.map((service) => service.start()))
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')
    if (failed !== undefined) {
      await this.stop({graceful: false})
      throw failed.reason
    }
    this.log.info(`host ${this.name} running`)
  }

  /** Stop every service, concurrently, then close the store. */
  async stop({graceful = true}: {graceful?: boolean} = {}): Promise<void> {
    await Promise.all([...this.services].reverse().map((service) => service.stop({graceful})))
    await this.store.close()
  }

  /** Resolves when every service has stopped. */
  async wait(): Promise<void> {
    await Promise.all(this.services.map((service) => service.wait()))
  }
}
