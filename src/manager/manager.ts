import type {TopicSection} from '../config/load-config.js'
import type {LockOptions} from '../coordination/lock-manager.js'
import type {Logger} from '../log/logger.js'
import type {RequestContext, RpcClient} from '../rpc/context.js'
import type {PluginCollection} from '../store/types.js'
import type {PeriodicTaskDeclarations} from './periodic-tasks.js'

/** What the host gives a manager. */
export interface ManagerContext {
  /** The service host: the host name, or `host@backend` for a backend. */
  host: string
  /** The topic this manager serves (Manila's service_name). */
  serviceName: string
  /** The topic's configuration section. */
  config: TopicSection
  log: Logger
  /** Reach other services. */
  rpc: RpcClient
  /**
   * A collection of the providing plugin's own data in the state store. `options.plugin` names
   * another plugin whose data this one cooperates on (a scheduler recording why a share it could
   * not place failed, as Manila's scheduler does); prefer calling the owner's manager.
   */
  collection(name: string, options?: CollectionOptions): PluginCollection
  /** Load a driver by plugin-provided name or module path; `spec` defaults to the topic's `driver`. */
  loadDriver<T extends object>(family: DriverFamily<T>, spec?: string): Promise<T>
  /** Run fn holding the named lock (in-process, and across hosts when the service has coordination). */
  synchronized<T>(name: string, fn: () => Promise<T> | T, options?: LockOptions): Promise<T>
  /** Version of the plugin that provides the manager. */
  pluginVersion: string
  /**
   * Read the services table (read-only): every service record, or those of one topic, with its
   * state (`up`, `down`, `stopped`) computed now and its status (`enabled`, `disabled`). A
   * scheduler uses it to leave out backends that are down or disabled. Change a service through
   * its manager or `steward services enable|disable`, never here.
   */
  services(query?: ServiceQuery): Promise<ServiceInfo[]>
}

/** Whose collection {@link ManagerContext.collection} opens. */
export interface CollectionOptions {
  /** The plugin (package.json `name`) owning the collection. @default the manager's own plugin */
  plugin?: string
}

/** Which services {@link ManagerContext.services} returns. */
export interface ServiceQuery {
  /** Only the services of this topic. @default every topic */
  topic?: string
}

/** One service record as managers read it (and `steward services list --json` shows it). */
export interface ServiceInfo {
  id: number
  /** The service host: `node1`, or `node1@backend`. */
  host: string
  binary: string
  topic: string
  /** Its availability zone (`storage_availability_zone` of its host). */
  zone: string
  status: 'enabled' | 'disabled'
  /** `up` while its heartbeats are at most `service_down_time` old; `stopped` after a clean stop. */
  state: 'up' | 'down' | 'stopped'
  updatedAt: string | null
  createdAt: string
  reportCount: number
  disabledReason: string | null
}

/** A driver base class: its static `requiredMethods` are what every driver of the family implements. */
export interface DriverFamily<T extends object = object> {
  readonly name: string
  readonly requiredMethods: readonly string[]
  readonly prototype: T
}

/**
 * The logic of a service. Subclass it in a plugin:
 *
 * @example
 * export class ClockManager extends Manager {
 *   static override rpcApiVersion = '1.0'
 *   static override rpcMethods = ['now']
 *   static override periodicTasks = {tick: {spacing: 5, runImmediately: true}}
 *   async tick(): Promise<void> { this.log.info('tick') }
 *   now(): string { return new Date().toISOString() }
 * }
 */
export abstract class Manager {
  /**
   * The RPC API version this manager serves, `major.minor`. Required: a manager without one fails
   * to load with MANAGER_INVALID.
   */
  static rpcApiVersion: string | undefined = undefined
  /** Methods other services may call. Names starting with `_` are never callable. */
  static rpcMethods: readonly string[] = ['serviceVersion', 'serviceConfig']
  /** Periodic tasks by method name; merged with those of parent classes. */
  static periodicTasks: PeriodicTaskDeclarations = {}

  readonly host: string
  readonly serviceName: string
  readonly log: Logger
  protected readonly context: ManagerContext

  constructor(context: ManagerContext) {
    this.context = context
    this.host = context.host
    this.serviceName = context.serviceName
    this.log = context.log
  }

  /** Runs before the service listens for RPC. Throwing fails the start. */
  async initHost(_serviceId: number): Promise<void> {}

  /** Runs once the service listens for RPC. */
  async initHostWithRpc(_serviceId: number): Promise<void> {}

  /** While false the service skips its heartbeats, so it reads as down. */
  isServiceReady(): boolean | Promise<boolean> {
    return true
  }

  /** Release what the manager holds (drivers, handles). Called once when the service stops. */
  async cleanupHost(): Promise<void> {}

  /**
   * What monitors show as this service's capabilities (plain data): none by default. Managers
   * that report capabilities show the last reported; a scheduler may show what it knows of the
   * backends it chooses from.
   */
  describeCapabilities(): unknown {
    return null
  }

  /** The providing plugin's version (RPC-callable). */
  serviceVersion(_ctx?: RequestContext): string {
    return this.context.pluginVersion
  }

  /** The topic's configuration section (RPC-callable). */
  serviceConfig(_ctx?: RequestContext): TopicSection {
    return this.context.config
  }

  protected synchronized<T>(name: string, fn: () => Promise<T> | T, options?: LockOptions): Promise<T> {
    return this.context.synchronized(name, fn, options)
  }
}

/** The static side of a manager class, as the host sees it. */
export interface ManagerClass {
  new (context: ManagerContext): Manager
  readonly name: string
  rpcApiVersion: string | undefined
  rpcMethods: readonly string[]
  periodicTasks: PeriodicTaskDeclarations
}
