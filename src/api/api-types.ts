import type {Logger} from '../log/logger.js'
import type {RequestContext, RpcClient} from '../rpc/context.js'
import type {PluginCollection} from '../store/types.js'

/** The HTTP methods a plugin route may answer. */
export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A JSON Schema (draft 7, as Ajv reads it). */
export type JsonSchema = Readonly<Record<string, unknown>>

/** A request as a plugin route or middleware sees it. */
export interface ApiRequest {
  /** The request id: the client's `X-Request-Id` when it sent a sane one, else a new one. Also in the response's `X-Request-Id` and in every log line of the request. */
  readonly id: string
  readonly method: string
  /** The path and query string as the client sent them. */
  readonly url: string
  /** Path parameters (`:name` segments). */
  readonly params: Readonly<Record<string, string>>
  /** Query parameters; one given twice is a list. Values are strings: declare them so in `schema.querystring`. */
  readonly query: Readonly<Record<string, string | string[]>>
  /** The parsed JSON body; undefined when there is none. */
  readonly body: unknown
  /** Header names are lower case. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}

/**
 * What a plugin's routes and middleware reach the host through. They run in the host's own
 * thread (not in a generation), so these are the host's objects themselves: keep handlers short
 * and leave the work to a manager, which they call over `rpc` (a service of the same host is
 * called without sockets).
 */
export interface ApiContext {
  /** The name of the host serving the request. */
  readonly host: string
  /** The host's logger, its lines carrying the request id. */
  readonly log: Logger
  /** The host's RPC client: call and cast services, as a manager does. */
  readonly rpc: RpcClient
  /** The context to pass to `rpc` calls: it carries the request id, so the callee's logs name it too. */
  readonly requestContext: RequestContext
  /** One of the plugin's own collections in the state store (the collections its managers use). */
  collection(name: string): PluginCollection
}

/** One route of a plugin's route set. */
export interface ApiRoute {
  method: ApiMethod
  /** The path under the route set's prefix, starting with `/`; `:name` segments are parameters (`/readings/:id`). */
  path: string
  /** JSON Schemas checked before the handler runs; a request that fails one gets 400 `API_REQUEST_INVALID`. */
  schema?: {body?: JsonSchema; querystring?: JsonSchema; params?: JsonSchema}
  /**
   * The status of a successful answer.
   * @default 200
   */
  status?: number
  /**
   * Answer the request: what it returns is sent as JSON. Throw a {@link HttpError} to answer with
   * another status, or a StewardError (its code decides the status, docs/api.md); anything else
   * becomes 500 `API_INTERNAL_ERROR`, logged with the request id.
   */
  handler(request: ApiRequest, context: ApiContext): unknown
}

/** A request to try, as `steward start` prints it (a curl command) once the API listens. */
export interface ApiExample {
  method: ApiMethod
  /** The path under the route set's prefix. */
  path: string
  /** A JSON body to send. */
  body?: unknown
}

/**
 * A set of routes, mounted at a prefix. `/healthz` and `/v1` are steward's.
 *
 * @example
 * const meterRoutes: ApiRouteSet = {
 *   prefix: '/meter',
 *   routes: [{method: 'GET', path: '/readings', handler: (_request, {collection}) => collection('readings').list()}],
 * }
 */
export interface ApiRouteSet {
  /**
   * Where the routes are mounted, starting with `/`.
   * @default `/<the route set's name>`
   */
  prefix?: string
  routes: readonly ApiRoute[]
  /** A request worth trying first; the last route set of the pipeline with one is shown. */
  example?: ApiExample
}

/** What a middleware learns about an answered request. */
export interface ApiResponseInfo {
  statusCode: number
  /** From the request's arrival to the end of the answer. */
  elapsedMs: number
}

/**
 * A middleware: hooks that run for every request of the route sets after it in `api_pipeline`
 * (Paste's filters). Token checks come before any middleware and cannot be removed.
 */
export interface ApiMiddleware {
  /** Before the body is read and the route runs. Throw an {@link HttpError} (or a StewardError) to refuse the request. */
  onRequest?(request: ApiRequest, context: ApiContext): void | Promise<void>
  /** Once the answer has been sent; what it throws is logged, never sent. */
  onResponse?(request: ApiRequest, response: ApiResponseInfo, context: ApiContext): void | Promise<void>
}

/** What a plugin's `definePlugin({routes})` maps each name to: a route set or a middleware. */
export type ApiPipelineEntry = ApiRouteSet | ApiMiddleware
