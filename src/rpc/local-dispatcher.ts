import {StewardError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'
import type {RequestContext, RpcClient, Target} from './context.js'

/** A service listening for calls on this host. */
export interface RpcEndpoint {
  topic: string
  /** The service host (`host` or `host@backend`), matched by `Target.server`. */
  server: string
  dispatch(ctx: RequestContext, method: string, args: Record<string, unknown>): Promise<unknown>
}

/**
 * Delivers calls to services of this host without sockets: by topic (round-robin), by
 * `topic.server`, or fanout to all of them. The ZeroMQ layer routes to other hosts.
 */
export class LocalDispatcher implements RpcClient {
  private readonly endpoints = new Map<string, RpcEndpoint[]>()
  private readonly nextIndex = new Map<string, number>()

  constructor(private readonly log: Logger) {}

  /** Start delivering to an endpoint; the returned function stops it. */
  listen(endpoint: RpcEndpoint): () => void {
    const list = this.endpoints.get(endpoint.topic) ?? []
    this.endpoints.set(endpoint.topic, [...list, endpoint])
    return () => {
      const remaining = (this.endpoints.get(endpoint.topic) ?? []).filter((candidate) => candidate !== endpoint)
      this.endpoints.set(endpoint.topic, remaining)
    }
  }

  async call(ctx: RequestContext, target: Target, method: string, args: Record<string, unknown> = {}): Promise<unknown> {
    if (target.fanout) throw new StewardError('NO_SERVICE_AVAILABLE', `A call cannot fan out (topic ${target.topic}, method ${method}); use cast.`)
    return this.pick(target, method).dispatch(ctx, method, args)
  }

  async cast(ctx: RequestContext, target: Target, method: string, args: Record<string, unknown> = {}): Promise<void> {
    const receivers = target.fanout ? this.endpoints.get(target.topic) ?? [] : [this.pick(target, method)]
    for (const endpoint of receivers) {
      endpoint.dispatch(ctx, method, args).catch((error: unknown) => {
        this.log.warn(`cast ${target.topic}.${method} to ${endpoint.server} failed`, {error})
      })
    }
  }

  private pick(target: Target, method: string): RpcEndpoint {
    const list = (this.endpoints.get(target.topic) ?? []).filter((endpoint) => target.server === undefined || endpoint.server === target.server)
    if (list.length === 0) {
      const where = target.server === undefined ? target.topic : `${target.topic}.${target.server}`
      throw new StewardError('NO_SERVICE_AVAILABLE', `No live service listens on ${where} for ${method}.`, {data: {topic: target.topic, server: target.server, method}})
    }
    const key = `${target.topic}.${target.server ?? ''}`
    const index = (this.nextIndex.get(key) ?? 0) % list.length
    this.nextIndex.set(key, index + 1)
    return list[index]!
  }
}
