import type {FastifyInstance} from 'fastify'
import {HOST_TOPIC} from '../rpc/target-resolver.js'
import type {ApiDeps} from './core-routes.js'

/** Prometheus' text format, version 0.0.4 (what prom-client writes). */
const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** How long a scrape waits for the host's answer: Prometheus' default scrape_timeout. */
const SCRAPE_TIMEOUT_SECONDS = 10

/**
 * `GET /metrics`, the `metrics` route set: the host's metrics in Prometheus' text format
 * (docs/observability.md). The metrics are the host process's, wherever the request is served:
 * the route asks the host through its host topic, which in the host's own process is a local
 * call (no socket), and from an API worker process (`api_workers` > 1) a call over the host's RPC
 * endpoint. So every worker answers the same host's numbers, never its own.
 */
export function registerMetricsRoute(app: FastifyInstance, deps: ApiDeps): void {
  const host = deps.rpc.prepare({topic: HOST_TOPIC, server: deps.host, timeout: SCRAPE_TIMEOUT_SECONDS})
  app.get('/metrics', {schema: {querystring: {type: 'object', additionalProperties: false, properties: {}}}}, async (request, reply) => {
    const text = await host.call({requestId: request.id, caller: `api@${deps.host}`}, 'metrics', {format: 'text'})
    return reply.type(METRICS_CONTENT_TYPE).send(text)
  })
}
