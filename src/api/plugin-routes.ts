import type {FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'
import type {Logger} from '../log/logger.js'
import type {RequestContext, RpcClient} from '../rpc/context.js'
import type {PluginCollection} from '../store/types.js'
import type {ApiContext, ApiMiddleware, ApiRequest, ApiRouteSet} from './api-types.js'
import {apiRequestContext} from './trace-requests.js'
import type {ApiDeps} from './core-routes.js'

const JSON_TYPE = 'application/json; charset=utf-8'

/** A fastify request as plugin code sees it: read-only, read when asked (the body arrives after onRequest). */
class RequestView implements ApiRequest {
  constructor(private readonly request: FastifyRequest) {}

  get id(): string {
    return this.request.id
  }

  get method(): string {
    return this.request.method
  }

  get url(): string {
    return this.request.url
  }

  get params(): Readonly<Record<string, string>> {
    return this.request.params as Record<string, string>
  }

  get query(): Readonly<Record<string, string | string[]>> {
    return this.request.query as Record<string, string | string[]>
  }

  get body(): unknown {
    return this.request.body
  }

  get headers(): Readonly<Record<string, string | string[] | undefined>> {
    return this.request.headers
  }
}

/** What one request of one plugin's routes reaches the host through. */
class PluginApiContext implements ApiContext {
  private logger: Logger | undefined

  constructor(
    private readonly deps: ApiDeps,
    private readonly plugin: string,
    private readonly request: FastifyRequest,
  ) {}

  get host(): string {
    return this.deps.host
  }

  get log(): Logger {
    this.logger ??= this.deps.log.child({requestId: this.request.id, plugin: this.plugin})
    return this.logger
  }

  get rpc(): RpcClient {
    return this.deps.rpc
  }

  get requestContext(): RequestContext {
    return apiRequestContext(this.request, `api@${this.deps.host}`)
  }

  /** An arrow, so `({collection}) => collection('x')` works. */
  readonly collection = (name: string): PluginCollection => this.deps.store.collection(this.plugin, name)
}

/** Mount a plugin's route set at its prefix, in a context of its own. */
export function mountRouteSet(app: FastifyInstance, routeSet: ApiRouteSet, prefix: string, plugin: string, deps: ApiDeps): void {
  void app.register(
    (child, _options, done) => {
      for (const route of routeSet.routes) {
        child.route({
          method: route.method,
          url: route.path,
          ...(route.schema === undefined ? {} : {schema: route.schema}),
          handler: async (request: FastifyRequest, reply: FastifyReply) => {
            const result: unknown = await route.handler(new RequestView(request), new PluginApiContext(deps, plugin, request))
            if (result === undefined) return reply.code(204).send()
            // Serialized here so that a string is sent as a JSON string, not as text.
            return reply
              .code(route.status ?? 200)
              .type(JSON_TYPE)
              .send(JSON.stringify(result))
          },
        })
      }
      done()
    },
    {prefix},
  )
}

/** Add a plugin's middleware hooks to a context: they run for the route sets mounted in it. */
export function addMiddleware(app: FastifyInstance, middleware: ApiMiddleware, plugin: string, deps: ApiDeps): void {
  const {onRequest, onResponse} = middleware
  if (onRequest !== undefined) {
    app.addHook('onRequest', async (request) => {
      await onRequest(new RequestView(request), new PluginApiContext(deps, plugin, request))
    })
  }
  if (onResponse !== undefined) {
    app.addHook('onResponse', async (request, reply) => {
      try {
        await onResponse(new RequestView(request), {statusCode: reply.statusCode, elapsedMs: reply.elapsedTime}, new PluginApiContext(deps, plugin, request))
      } catch (error) {
        deps.log.warn(`API middleware of ${plugin} failed after answering`, {requestId: request.id, error})
      }
    })
  }
}
