import type {StewardConfig} from '../config/load-config.js'
import type {Logger} from '../log/logger.js'
import type {ManagerClass} from '../manager/manager.js'
import type {GenerationFactory} from '../plugins/generation.js'
import type {ReloadRecord} from '../plugins/generation-slot.js'
import type {RpcClient} from '../rpc/context.js'
import type {LocalDispatcher} from '../rpc/local-dispatcher.js'
import type {StateStore} from '../store/types.js'

/** A plugin's driver export (a class, factory or object), with the plugin that provides it. */
export interface ProvidedDriver {
  exported: unknown
  plugin: {name: string; version: string}
}

/** Where managers and drivers come from (the plugin registry, or a test's fake). */
export interface ManagerSource {
  loadManager(name: string): Promise<{managerClass: ManagerClass; plugin: {name: string; version: string}}>
  /** Undefined when no plugin provides a driver of that name. */
  loadDriver(name: string): Promise<ProvidedDriver | undefined>
}

/** What the host shares with each of its services. */
export interface HostContext {
  config: StewardConfig
  store: StateStore
  /** Starts the generations that run each service's manager (in workers, or inline). */
  generations: GenerationFactory
  log: Logger
  /** Where this host's services listen. */
  dispatcher: LocalDispatcher
  /** How managers reach services, here or on other hosts. */
  rpc: RpcClient
  /** Random numbers in [0, 1), for the first periodic delay. @default Math.random */
  random?: () => number
  /** Told when a service's reload or generation replacement has finished (the telemetry feed). */
  onReload?: (service: {host: string; binary: string; topic: string}, record: ReloadRecord) => void
}
