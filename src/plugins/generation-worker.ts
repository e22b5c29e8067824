/**
 * The entry of a generation's worker thread: loads the service's manager from the plugins, and
 * answers the host's requests over the port. Store, RPC, locks and logging go back to the host,
 * which owns them. A worker boots before it is needed (the host keeps one spare), so a reload
 * pays only for importing the plugin's code.
 */
import {parentPort} from 'node:worker_threads'
import type {TopicSection} from '../config/load-config.js'
import {describeError} from '../errors/index.js'
import type {LogFields, Logger} from '../log/logger.js'
import type {ServiceInfo} from '../manager/manager.js'
import type {LogLevel} from '../config/options.js'
import type {DriverCallRecord} from '../profiler/tracing.js'
import type {PrepareOptions, RequestContext, RpcClient} from '../rpc/context.js'
import {canSendVersion} from '../rpc/version.js'
import type {PluginCollection} from '../store/types.js'
import {discoverPlugins, type PluginSource} from './discover-plugins.js'
import type {GenerationContract, GenerationDetails} from './generation.js'
import {LoadedManager} from './loaded-manager.js'
import {PluginRegistry, prepareSdkResolution} from './plugin-registry.js'
import {PortRpc} from './port-rpc.js'

/** What the host asks a worker to load. Plain data: it is cloned into the thread. */
export interface GenerationWorkerData {
  number: number
  managerName: string
  topic: string
  host: string
  serviceName: string
  section: TopicSection
  configDir: string
  stateDir: string
  pluginDirectories: Array<{path: string; source: PluginSource}>
  /** The profiler is on: time the drivers' calls and send them to the host (`driver-call` notes). */
  traceDrivers: boolean
}

export interface StoreRequest {
  plugin: string
  collection: string
  method: keyof PluginCollection
  args: unknown[]
}

export interface RpcRequest {
  options: PrepareOptions
  ctx: RequestContext
  method: string
  args: Record<string, unknown> | undefined
}

export interface LogNote {
  level: LogLevel
  message: string
  fields: LogFields
}

if (parentPort === null) throw new Error('generation-worker runs as a worker thread only')
const port = new PortRpc(parentPort)
// Warm the TypeScript loader and the SDK mapping while the worker waits as a spare. A failed
// warm-up only makes the load slower.
const warmUp = new URL('loader-warm-up.js', import.meta.url).href
const warming = Promise.all([
  prepareSdkResolution(),
  import('tsx/esm/api').then(({tsImport}) => tsImport(warmUp, import.meta.url)).catch(() => undefined),
])

function portLogger(bound: LogFields): Logger {
  const emit =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}): void => {
      const all = {...bound, ...fields}
      try {
        port.note('log', {level, message, fields: all} satisfies LogNote)
      } catch {
        // A field that cannot be cloned (a socket, a function): send it as text.
        port.note('log', {level, message, fields: Object.fromEntries(Object.entries(all).map(([key, value]) => [key, describeError(value)]))} satisfies LogNote)
      }
    }
  return {debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), child: (fields) => portLogger({...bound, ...fields})}
}

const rpc: RpcClient = {
  prepare: (options) => ({
    call: (ctx, method, args) => port.request('rpc.call', {options, ctx, method, args} satisfies RpcRequest),
    cast: (ctx, method, args) => port.request('rpc.cast', {options, ctx, method, args} satisfies RpcRequest),
    canSendVersion: (version) => canSendVersion(options.versionCap, version),
  }),
}

function collection(plugin: string, name: string): PluginCollection {
  const forward =
    <M extends keyof PluginCollection>(method: M) =>
    (...args: unknown[]) =>
      port.request('store', {plugin, collection: name, method, args} satisfies StoreRequest)
  return {
    list: forward('list') as PluginCollection['list'],
    get: forward('get') as PluginCollection['get'],
    put: forward('put') as PluginCollection['put'],
    update: forward('update') as PluginCollection['update'],
    remove: forward('remove') as PluginCollection['remove'],
  }
}

async function synchronized<T>(name: string, fn: () => Promise<T> | T, options?: {blocking?: boolean; timeout?: number}): Promise<T> {
  const lockId = await port.request<number>('lock', {name, options})
  try {
    return await fn()
  } finally {
    port.note('unlock', lockId)
  }
}

const loadedDirs = new Set<string>()
let registry: PluginRegistry
const source = {
  loadManager: async (name: string) => {
    const loaded = await registry.loadManager(name)
    loadedDirs.add(loaded.plugin.dir)
    return loaded
  },
  loadDriver: async (name: string) => {
    const provider = registry.provider('drivers', name)
    if (provider !== undefined) {
      loadedDirs.add(provider.dir)
      port.note('plugin-loaded', provider.dir)
    }
    return registry.loadDriver(name)
  },
}

let loaded: LoadedManager | undefined
const manager = (): LoadedManager => loaded!

port
  .handle('load', async (arg): Promise<GenerationContract> => {
    const data = arg as GenerationWorkerData
    await warming
    registry = new PluginRegistry(discoverPlugins(data.pluginDirectories))
    loaded = await LoadedManager.load(source, data, {
      log: portLogger({}),
      rpc,
      collection,
      synchronized,
      services: (query) => port.request('services', query ?? {}) as Promise<ServiceInfo[]>,
      section: data.section,
      configDir: data.configDir,
      stateDir: data.stateDir,
      ...(data.traceDrivers ? {onDriverCall: (call: DriverCallRecord) => port.note('driver-call', call)} : {}),
    })
    return {...loaded.contract, pluginDirs: [...loadedDirs]}
  })
  .handle('initHost', (serviceId) => manager().initHost(serviceId as number))
  .handle('initHostWithRpc', (serviceId) => manager().initHostWithRpc(serviceId as number))
  .handle('isServiceReady', () => manager().isServiceReady())
  .handle('dispatch', (arg) => {
    const {ctx, method, args} = arg as {ctx: RequestContext; method: string; args: Record<string, unknown>}
    return manager().dispatch(ctx, method, args)
  })
  .handle('runPeriodicTasks', (ctx) => manager().runPeriodicTasks(ctx as RequestContext))
  .handle('details', (): GenerationDetails => manager().details())
  .handle('stopPeriodicTasks', (options) => manager().stopPeriodicTasks(options as {graceful: boolean; timeoutMs: number}))
  .handle('cleanupHost', () => manager().cleanupHost())
