import type {TopicSection} from '../config/load-config.js'
import type {ManagerContext} from '../manager/manager.js'
import type {Logger} from '../log/logger.js'
import type {DriverCallRecord} from '../profiler/tracing.js'
import type {RpcClient} from '../rpc/context.js'
import type {PluginCollection} from '../store/types.js'
import type {GenerationSpec} from './generation.js'

/**
 * What the host lends a manager: the edges it owns (store, RPC, locks, logging) and the topic's
 * configuration. Inline they are the host's own objects; in a worker they are proxies over the
 * generation's port.
 */
export interface ManagerEdges {
  log: Logger
  rpc: RpcClient
  collection(plugin: string, name: string): PluginCollection
  synchronized: GenerationSpec['synchronized']
  /** The services table, read-only. */
  services: ManagerContext['services']
  /** The topic's configuration section. */
  section: TopicSection
  /** Relative driver module paths are relative to this (the configuration file's directory). */
  configDir: string
  /** The host's state directory, for drivers that keep data beside the state file. */
  stateDir: string
  /** Told of each timed driver call; set only while the profiler is on (drivers are then traced). */
  onDriverCall?: (call: DriverCallRecord) => void
}
