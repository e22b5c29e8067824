import {loadObject} from '../driver/load-object.js'
import {StewardError} from '../errors/index.js'
import type {DriverFamily, Manager, ManagerContext} from '../manager/manager.js'
import {readManagerContract, type ManagerContract} from '../manager/manager-contract.js'
import {PeriodicTaskRunner, type PeriodicTaskStatus} from '../manager/periodic-tasks.js'
import type {RequestContext} from '../rpc/context.js'
import type {ManagerSource} from '../service/host-context.js'
import type {GenerationContract, GenerationSpec} from './generation.js'
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
    const context: ManagerContext = {
      host: spec.host,
      serviceName: spec.serviceName,
      config: edges.section,
      log: edges.log,
      rpc: edges.rpc,
      pluginVersion: plugin.version,
      collection: (name) => edges.collection(plugin.name, name),
      synchronized: (name, fn, options) => edges.synchronized(name, fn, options),
      loadDriver: <T extends object>(family: DriverFamily<T>, driverSpec = edges.section.driver) => {
        if (driverSpec === undefined) {
          return Promise.reject(
            new StewardError('DRIVER_NOT_FOUND', `Topic ${spec.topic} has no driver configured.`, {
              suggestions: [`Set "${spec.topic}": {"driver": "<name>"} in the configuration, or STEWARD_${spec.topic.toUpperCase()}__DRIVER.`],
            }),
          )
        }
        return loadObject<T>(driverSpec, {
          family,
          context: {config: edges.section, log: edges.log.child({driver: driverSpec}), host: spec.host},
          lookup: (name) => source.loadDriver(name),
          cwd: edges.configDir,
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
    return new LoadedManager(contract, manager, managerContract, runner)
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
    return handler.call(this.manager, ctx, args)
  }

  runPeriodicTasks(ctx: RequestContext): Promise<number> {
    return this.runner.runDue(ctx)
  }

  periodicTaskStatus(): PeriodicTaskStatus[] {
    return this.runner.status()
  }

  stopPeriodicTasks(options: {graceful: boolean; timeoutMs: number}): Promise<boolean> {
    return this.runner.stop(options)
  }

  cleanupHost(): Promise<void> {
    return this.manager.cleanupHost()
  }
}
