import {loadObject} from '../driver/load-object.js'
import {StewardError} from '../errors/index.js'
import type {DriverFamily, Manager, ManagerContext} from '../manager/manager.js'
import {readManagerContract, type ManagerContract} from '../manager/manager-contract.js'
import {PeriodicTaskRunner} from '../manager/periodic-tasks.js'
import {traceDriver, withTraceParent} from '../profiler/traced-driver.js'
import type {RequestContext} from '../rpc/context.js'
import type {ManagerSource} from '../service/host-context.js'
import type {DriverInfo, GenerationContract, GenerationDetails, GenerationSpec} from './generation.js'
import type {ManagerEdges} from './manager-edges.js'

type RpcHandler = (ctx: RequestContext, args: Record<string, unknown>) => unknown

/**
 * A manager built and running in this thread, with its periodic tasks: the part of a generation
 * that runs plugin code, shared by inline generations and the worker of isolated ones.
 */
export class LoadedManager {
  private constructor(
    readonly contract: GenerationContract,
    private readonly manager: Manager,
    private readonly managerContract: ManagerContract,
    private readonly runner: PeriodicTaskRunner<RequestContext>,
    /** The drivers the manager loaded, in order. */
    private readonly drivers: readonly DriverInfo[],
    /** Whether driver calls are traced: calls and periodic runs then hold their trace parent. */
    private readonly tracing: boolean,
  ) {}

  /** Load the named manager from the source, check its contract, and build it. */
  static async load(
    source: ManagerSource,
    spec: Omit<GenerationSpec, 'synchronized' | 'log' | 'number'>,
    edges: ManagerEdges,
    random?: () => number,
  ): Promise<LoadedManager> {
    const {managerClass, plugin} = await source.loadManager(spec.managerName)
    const managerContract = readManagerContract(managerClass)
    const drivers: DriverInfo[] = []
    const context: ManagerContext = {
      host: spec.host,
      serviceName: spec.serviceName,
      config: edges.section,
      log: edges.log,
      rpc: edges.rpc,
      pluginVersion: plugin.version,
      collection: (name, options) => edges.collection(options?.plugin ?? plugin.name, name),
      synchronized: (name, fn, options) => edges.synchronized(name, fn, options),
      services: (query) => edges.services(query),
      loadDriver: <T extends object>(family: DriverFamily<T>, driverSpec = edges.section.driver) => {
        if (driverSpec === undefined) {
          return Promise.reject(
            new StewardError('DRIVER_NOT_FOUND', `Topic ${spec.topic} has no driver configured.`, {
              suggestions: [`Set "${spec.topic}": {"driver": "<name>"} in the configuration, or STEWARD_${spec.topic.toUpperCase()}__DRIVER.`],
            }),
          )
        }
        let provider: DriverInfo['plugin'] = null
        const lookup = async (name: string): Promise<unknown> => {
          const provided = await source.loadDriver(name)
          if (provided === undefined) return undefined
          provider = {name: provided.plugin.name, version: provided.plugin.version}
          return provided.exported
        }
        return loadObject<T>(driverSpec, {
          family,
          context: {config: edges.section, log: edges.log.child({driver: driverSpec}), host: spec.host, stateDir: edges.stateDir},
          lookup,
          cwd: edges.configDir,
        }).then((driver) => {
          drivers.push({name: driverSpec, family: family.name, plugin: provider})
          return edges.onDriverCall === undefined ? driver : traceDriver(driver, driverSpec, family.requiredMethods, edges.onDriverCall)
        })
      },
    }
    const manager = new managerClass(context)
    const runner = new PeriodicTaskRunner<RequestContext>({
      target: manager,
      declarations: managerContract.periodicTasks,
      logger: edges.log,
      ...(random === undefined ? {} : {random}),
    })
    const contract: GenerationContract = {
      rpcApiVersion: managerContract.rpcApiVersion,
      rpcMethods: [...managerContract.rpcMethods],
      plugin: {name: plugin.name, version: plugin.version},
      pluginDirs: [],
    }
    return new LoadedManager(contract, manager, managerContract, runner, drivers, edges.onDriverCall !== undefined)
  }

  /**
   * Whether calls must hold their trace parent for the drivers: only with the profiler on and a
   * driver loaded, as AsyncLocalStorage slows every promise of the thread once it is used.
   */
  private tracesDrivers(): boolean {
    return this.tracing && this.drivers.length > 0
  }

  initHost(serviceId: number): Promise<void> {
    return this.manager.initHost(serviceId)
  }

  initHostWithRpc(serviceId: number): Promise<void> {
    return this.manager.initHostWithRpc(serviceId)
  }

  async isServiceReady(): Promise<boolean> {
    return Boolean(await this.manager.isServiceReady())
  }

  /** Call a declared RPC method; the service answers NO_SUCH_METHOD before any other gets here. */
  async dispatch(ctx: RequestContext, method: string, args: Record<string, unknown>): Promise<unknown> {
    if (!this.managerContract.rpcMethods.has(method)) throw new StewardError('NO_SUCH_METHOD', `The manager has no RPC method "${method}".`, {data: {method}})
    const handler = (this.manager as unknown as Record<string, RpcHandler>)[method]!
    if (this.tracesDrivers()) return withTraceParent(ctx.traceParent, () => handler.call(this.manager, ctx, args))
    return handler.call(this.manager, ctx, args)
  }

  runPeriodicTasks(ctx: RequestContext): Promise<number> {
    if (this.tracesDrivers()) return withTraceParent(ctx.traceParent, () => this.runner.runDue(ctx))
    return this.runner.runDue(ctx)
  }

  /** For monitors: periodic tasks, drivers, and the capabilities the manager describes. */
  details(): GenerationDetails {
    return {periodicTasks: this.runner.status(), drivers: [...this.drivers], capabilities: this.manager.describeCapabilities() ?? null}
  }

  stopPeriodicTasks(options: {graceful: boolean; timeoutMs: number}): Promise<boolean> {
    return this.runner.stop(options)
  }

  cleanupHost(): Promise<void> {
    return this.manager.cleanupHost()
  }
}
