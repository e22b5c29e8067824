/**
 * The steward SDK: what plugin code imports from "steward". Inside a host, this import always
 * resolves to the running host's copy, wherever the plugin is installed.
 */
export {Manager, type ManagerClass, type ManagerContext, type DriverFamily, type ServiceInfo, type ServiceQuery, type CollectionOptions} from './manager/manager.js'
export {SchedulerDependentManager, SCHEDULER_TOPIC} from './manager/scheduler-dependent-manager.js'
export type {PeriodicTaskDeclarations, PeriodicTaskOptions, PeriodicTaskRun, PeriodicTaskStatus} from './manager/periodic-tasks.js'
export {Driver, type DriverContext} from './driver/driver.js'
export {loadObject, type LoadObjectOptions} from './driver/load-object.js'
export {definePlugin, type PluginDefinition, type DefinedPlugin} from './plugins/define-plugin.js'
export {HttpError} from './api/http-error.js'
export type {ApiContext, ApiMethod, ApiMiddleware, ApiPipelineEntry, ApiRequest, ApiResponseInfo, ApiRoute, ApiRouteSet, JsonSchema} from './api/api-types.js'
export {StewardError, isStewardError, errorCatalog, type ErrorCode, type SerializedError} from './errors/index.js'
export type {LockOptions} from './coordination/lock-manager.js'
export type {RequestContext, RpcClient, PrepareOptions, PreparedClient} from './rpc/context.js'
export {RemoteError, type WireError} from './rpc/wire-errors.js'
export {createContext} from './rpc/context.js'
export {setupProfiler, type Profiler} from './profiler/tracing.js'
export type {PluginCollection, PluginItem} from './store/types.js'
export type {TopicSection} from './config/load-config.js'
export type {Logger, LogFields} from './log/logger.js'
