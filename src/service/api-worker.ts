/**
 * The server a worker process of the HTTP API runs (`<name>_workers` > 1): the host's process
 * forks them with its ProcessLauncher, and each one builds an ApiService of its own from the
 * host's configuration, with its own store handle and RPC client (calls to the host's services
 * go over the host's endpoint). Their listening sockets are shared through node:cluster.
 */
import type {ApiName} from '../api/api-settings.js'
import {loadConfig, type ConfigFlags} from '../config/load-config.js'
import {PluginRegistry} from '../plugins/plugin-registry.js'
import {startHostProfiler} from '../profiler/host-profiler.js'
import {createRpcClient} from '../rpc/rpc-client-factory.js'
import {openStore} from '../store/index.js'
import {ApiService} from './api-service.js'
import type {LaunchableServer, WorkerContext} from './launcher/launchable-server.js'

/** What the host passes its API workers (JSON). */
export interface ApiWorkerOptions {
  name: ApiName
  /** The flags the host's configuration was loaded with; the environment is inherited. */
  flags: ConfigFlags
  cwd: string
}

export async function createServer({name, flags, cwd}: ApiWorkerOptions, {log}: WorkerContext): Promise<LaunchableServer & {readonly endpoint: unknown}> {
  const read = () => loadConfig({flags, cwd})
  const config = read()
  const {options} = config
  const stopProfiler = await startHostProfiler(options, log, `api-${process.pid}`)
  const store = await openStore({stateDir: options.state_dir, lockTimeoutMs: options.store_lock_timeout * 1000})
  const {client, close} = createRpcClient({config, store, log})
  // The host records the endpoint (and takes it out on stop), not each worker.
  const api = ApiService.create({name, config, store, rpc: client, log, routes: PluginRegistry.discover(options)})
  let closing: Promise<void> | undefined
  return {
    get endpoint() {
      return api.endpoint
    },
    start: () => api.start(),
    stop: (stopOptions) =>
      (closing ??= (async () => {
        await api.stop(stopOptions)
        await close(1000)
        await store.close()
        await stopProfiler?.()
      })()),
    wait: async () => {
      await api.wait()
      await closing
    },
    reset: async () => {
      const fresh = read()
      await api.reset({config: fresh, routes: PluginRegistry.discover(fresh.options)})
    },
  }
}
