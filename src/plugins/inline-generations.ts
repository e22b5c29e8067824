import path from 'node:path'
import {serviceSection} from '../config/backend-sections.js'
import type {StewardConfig} from '../config/load-config.js'
import type {RpcClient} from '../rpc/context.js'
import type {ManagerSource} from '../service/host-context.js'
import type {StateStore} from '../store/types.js'
import type {Generation, GenerationFactory, GenerationSpec} from './generation.js'
import {LoadedManager} from './loaded-manager.js'
import {readServices} from './service-views.js'

export interface InlineGenerationsOptions {
  source: ManagerSource
  config: StewardConfig
  store: StateStore
  rpc: RpcClient
  random?: () => number
}

/**
 * Generations that run in the host's own thread (isolation `inline`): the lowest latency, no
 * isolation. A busy loop here blocks the host, a crash is the host's, and modules once imported
 * stay, so a reload builds a new manager from the code already loaded.
 */
export class InlineGenerations implements GenerationFactory {
  constructor(private readonly options: InlineGenerationsOptions) {}

  async start(spec: GenerationSpec): Promise<Generation> {
    const {source, config, store, rpc, random} = this.options
    const loaded = await LoadedManager.load(
      source,
      spec,
      {
        log: spec.log,
        rpc,
        collection: (plugin, name) => store.collection(plugin, name),
        synchronized: spec.synchronized,
        services: (query) => readServices(store, config, query),
        section: serviceSection(config, spec.topic, spec.backend),
        configDir: config.file === undefined ? process.cwd() : path.dirname(config.file),
        stateDir: config.options.state_dir,
        ...(spec.onDriverCall === undefined ? {} : {onDriverCall: spec.onDriverCall}),
      },
      random,
    )
    return {
      number: spec.number,
      contract: loaded.contract,
      initHost: (serviceId) => loaded.initHost(serviceId),
      initHostWithRpc: (serviceId) => loaded.initHostWithRpc(serviceId),
      isServiceReady: () => loaded.isServiceReady(),
      dispatch: (ctx, method, args) => loaded.dispatch(ctx, method, args),
      runPeriodicTasks: (ctx) => loaded.runPeriodicTasks(ctx),
      details: async () => loaded.details(),
      stopPeriodicTasks: (options) => loaded.stopPeriodicTasks(options),
      cleanupHost: () => loaded.cleanupHost(),
      end: async () => {},
      onExit: () => {},
    }
  }

  async close(): Promise<void> {}
}
