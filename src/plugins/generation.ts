import type {Logger} from '../log/logger.js'
import type {PeriodicTaskStatus} from '../manager/periodic-tasks.js'
import type {DriverCallRecord} from '../profiler/tracing.js'
import type {RequestContext} from '../rpc/context.js'

/** Which service a generation runs the manager of, and what it is called. */
export interface GenerationSpec {
  /** 1 for the first generation of a service; each reload or replacement adds one. */
  number: number
  managerName: string
  topic: string
  /** The service host: `host` or `host@backend`. */
  host: string
  /** The backend of the topic's `backends` the service runs, if any: its section is the backend's. */
  backend?: string
  serviceName: string
  /** The service's logger; the generation's lines carry its number too. */
  log: Logger
  /**
   * Run fn holding the service's named lock. Locks are the host's, so they hold across
   * generations and are released when a generation dies holding one.
   */
  synchronized<T>(name: string, fn: () => Promise<T> | T, options?: {blocking?: boolean; timeout?: number}): Promise<T>
  /** Set while the profiler is on: the generation times its driver calls and reports them here. */
  onDriverCall?: (call: DriverCallRecord) => void
}

/** What a loaded generation serves, known once its manager class was read and checked. */
export interface GenerationContract {
  rpcApiVersion: string
  rpcMethods: readonly string[]
  plugin: {name: string; version: string}
  /** Directories of the plugins whose code the generation loaded (its manager's, its drivers'). */
  pluginDirs: readonly string[]
}

/** A driver a generation's manager loaded: its spec (a plugin's driver name or a module path). */
export interface DriverInfo {
  name: string
  /** The driver base it implements (ShareDriver, …). */
  family: string
  /** The plugin that provides it; null for a driver given as a module path. */
  plugin: {name: string; version: string} | null
}

/** What a generation tells monitors of itself. */
export interface GenerationDetails {
  periodicTasks: PeriodicTaskStatus[]
  drivers: DriverInfo[]
  /** The manager's describeCapabilities(): null when it reports none. */
  capabilities: unknown
}

/**
 * One instance of a service's manager and drivers: in a worker thread, or inline in the host's
 * thread. A service swaps generations on reload; each is started, serves, then is ended.
 */
export interface Generation {
  readonly number: number
  readonly contract: GenerationContract
  initHost(serviceId: number): Promise<void>
  initHostWithRpc(serviceId: number): Promise<void>
  /** The manager's isServiceReady; rejects with GENERATION_UNRESPONSIVE after timeoutMs. */
  isServiceReady(timeoutMs: number): Promise<boolean>
  /** Call a declared RPC method; NO_SUCH_METHOD for any other name. */
  dispatch(ctx: RequestContext, method: string, args: Record<string, unknown>): Promise<unknown>
  /** Start the periodic tasks that are due; resolves to the seconds until the next is due. */
  runPeriodicTasks(ctx: RequestContext): Promise<number>
  details(): Promise<GenerationDetails>
  /** Start no more periodic tasks; graceful waits for running ones up to timeoutMs. */
  stopPeriodicTasks(options: {graceful: boolean; timeoutMs: number}): Promise<boolean>
  cleanupHost(): Promise<void>
  /** Free the generation (terminate its worker). Pending requests to it reject. */
  end(): Promise<void>
  /** Called once if the generation dies on its own (a crash, process.exit), not after end(). */
  onExit(listener: (error: Error) => void): void
}

/** Starts generations: loads the manager, reads and checks its contract, builds it. */
export interface GenerationFactory {
  start(spec: GenerationSpec): Promise<Generation>
  /** Release what the factory keeps between generations (a spare worker). */
  close(): Promise<void>
}
