import path from 'node:path'
import type {LockManager, LockOptions} from '../coordination/lock-manager.js'
import {loadObject} from '../driver/load-object.js'
import {StewardError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'
import type {DriverFamily, ManagerContext} from '../manager/manager.js'
import type {HostContext} from './host-context.js'

export interface ManagerContextInput {
  hostContext: HostContext
  /** The service host: `host` or `host@backend`. */
  host: string
  topic: string
  serviceName: string
  log: Logger
  locks: LockManager
  plugin: {name: string; version: string}
}

/** What a service hands its manager: its section of the configuration, its data, RPC, locks, drivers. */
export function createManagerContext({hostContext, host, topic, serviceName, log, locks, plugin}: ManagerContextInput): ManagerContext {
  const {config, store, managers, rpc} = hostContext
  const section = config.topics[topic] ?? {}
  return {
    host,
    serviceName,
    config: section,
    log,
    rpc,
    pluginVersion: plugin.version,
    collection: (name) => store.collection(plugin.name, name),
    synchronized: <T>(name: string, fn: () => Promise<T> | T, options?: LockOptions) => locks.synchronized(name, fn, options),
    loadDriver: <T extends object>(family: DriverFamily<T>, spec = section.driver) => {
      if (spec === undefined) {
        return Promise.reject(
          new StewardError('DRIVER_NOT_FOUND', `Topic ${topic} has no driver configured.`, {
            suggestions: [`Set "${topic}": {"driver": "<name>"} in the configuration, or STEWARD_${topic.toUpperCase()}__DRIVER.`],
          }),
        )
      }
      return loadObject<T>(spec, {
        family,
        context: {config: section, log: log.child({driver: spec}), host},
        lookup: (name) => managers.loadDriver(name),
        // Relative module paths are relative to the configuration file that names them.
        cwd: config.file === undefined ? process.cwd() : path.dirname(config.file),
      })
    },
  }
}
