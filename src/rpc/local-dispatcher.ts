import {StewardError} from '../errors/index.js'
import type {RequestContext} from './context.js'
import type {RequestHeader} from './protocol.js'
import {isCompatible} from './version.js'

/** A service of this host, listening for calls. */
export interface RpcEndpoint {
  topic: string
  /** The service host (`host` or `host@backend`), matched by a request's `server`. */
  server: string
  /** The RPC API version the service serves, `major.minor`. */
  version: string
  /** `cast` is true for a cast (nobody waits for the result), for the service's statistics. */
  dispatch(ctx: RequestContext, method: string, args: Record<string, unknown>, cast?: boolean): Promise<unknown>
}

/**
 * The services of this host by topic: delivers a request (from the RPC server, or from a client
 * on this host without any socket) to the right one, after checking the version.
 */
export class LocalDispatcher {
  private readonly endpoints = new Map<string, RpcEndpoint[]>()
  private readonly nextIndex = new Map<string, number>()

  /** Start delivering to an endpoint; the returned function stops it. */
  listen(endpoint: RpcEndpoint): () => void {
    this.endpoints.set(endpoint.topic, [...this.listeners(endpoint.topic), endpoint])
    return () => {
      this.endpoints.set(
        endpoint.topic,
        this.listeners(endpoint.topic).filter((candidate) => candidate !== endpoint),
      )
    }
  }

  /** The endpoints listening on a topic (and server, when given). */
  listeners(topic: string, server?: string): RpcEndpoint[] {
    const list = this.endpoints.get(topic) ?? []
    return server === undefined ? list : list.filter((endpoint) => endpoint.server === server)
  }

  /** Whether a service listens on the topic (and server, when given) here; allocates nothing. */
  has(topic: string, server?: string): boolean {
    const list = this.endpoints.get(topic)
    if (list === undefined || server === undefined) return (list?.length ?? 0) > 0
    for (const endpoint of list) if (endpoint.server === server) return true
    return false
  }

  /**
   * Deliver a request: to the service `header.server` of the topic, or round-robin over this
   * host's services of the topic when no server is named. `cast` says nobody waits for the result.
   */
  deliver(header: RequestHeader, args: Record<string, unknown>, cast = false): Promise<unknown> {
    // Not an async function: it would wrap the endpoint's promise in one more, two turns of the
    // microtask queue on the path of every call. Failures still reject, never throw.
    try {
      const endpoint = this.pick(header.topic, header.server, header.method)
      if (header.version !== undefined && !isCompatible(endpoint.version, header.version)) {
        throw new StewardError('UNSUPPORTED_VERSION', `${header.topic} on ${endpoint.server} serves version ${endpoint.version}; ${header.method} was asked for ${header.version}.`, {
          data: {topic: header.topic, server: endpoint.server, method: header.method, served: endpoint.version, requested: header.version},
        })
      }
      return Promise.resolve(endpoint.dispatch(header.ctx, header.method, args, cast))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  private pick(topic: string, server: string | undefined, method: string): RpcEndpoint {
    // The usual case, one service of the topic on this host, without filtering a new list.
    const all = this.endpoints.get(topic)
    if (all?.length === 1 && (server === undefined || all[0]!.server === server)) return all[0]!
    const list = this.listeners(topic, server)
    if (list.length === 0) {
      const where = server === undefined ? topic : `${topic}.${server}`
      throw new StewardError('NO_SERVICE_AVAILABLE', `No service listens on ${where} for ${method} here.`, {data: {topic, server, method}})
    }
    if (list.length === 1) return list[0]!
    const index = (this.nextIndex.get(topic) ?? 0) % list.length
    this.nextIndex.set(topic, index + 1)
    return list[index]!
  }
}
