import type {FastifyInstance, FastifyRequest} from 'fastify'
import type {HttpSpan, Tracing} from '../profiler/tracing.js'
import type {RequestContext} from '../rpc/context.js'

const spans = new WeakMap<FastifyRequest, HttpSpan>()

/**
 * Give every request a span (added only while the profiler is on, so an API without it has no
 * hook at all): from the first hook, so refused requests show too, to the answer, named by the
 * route that served it. A `traceparent` header makes the request part of its caller's trace.
 */
export function traceRequests(app: FastifyInstance, tracing: Tracing): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const incoming = request.headers.traceparent
    const span = tracing.http(typeof incoming === 'string' ? incoming : undefined, request.id, request.method, request.url.split('?', 1)[0]!)
    if (span !== undefined) spans.set(request, span)
    done()
  })
  app.addHook('onResponse', (request, reply, done) => {
    spans.get(request)?.end(reply.statusCode, request.routeOptions.url)
    done()
  })
}

/** The context a request's RPC calls carry: its id, the API as caller, and its span as trace parent. */
export function apiRequestContext(request: FastifyRequest, caller: string): RequestContext {
  const span = spans.get(request)
  return span === undefined ? {requestId: request.id, caller} : {requestId: request.id, caller, traceParent: span.traceParent}
}
