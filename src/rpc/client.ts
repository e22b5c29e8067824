import {StewardError} from '../errors/index.js'
import {activeTracing} from '../profiler/tracing.js'
import type {Logger} from '../log/logger.js'
import type {ConnectionPool} from './connection-pool.js'
import type {PrepareOptions, PreparedClient, RequestContext, RpcClient} from './context.js'
import type {LocalDispatcher} from './local-dispatcher.js'
import type {RequestHeader} from './protocol.js'
import {routeKey, type RouteTarget, type TargetResolver} from './target-resolver.js'
import {canSendVersion, parseVersion} from './version.js'

export interface RpcClientOptions {
  /** This host's name: the caller in every context. */
  caller: string
  resolver: TargetResolver
  pool: ConnectionPool
  /** This host's services: calls to them are delivered without sockets. */
  local?: LocalDispatcher
  /** rpc_response_timeout, in seconds. */
  timeoutSeconds: number
  log: Logger
}

/**
 * The RPC client (oslo.messaging's RPCClient): `prepare(target)` then `call` or `cast`. Targets
 * are found in the state store; a service of this host is reached directly, any other through its
 * host's endpoint.
 */
export class StewardRpcClient implements RpcClient {
  private readonly roundRobin = new Map<string, number>()

  constructor(readonly options: RpcClientOptions) {}

  prepare(options: PrepareOptions): PreparedClient {
    if (typeof options.topic !== 'string' || options.topic === '') throw new StewardError('INVALID_TARGET', 'An RPC target needs a topic.')
    if (options.version !== undefined) parseVersion(options.version)
    if (options.versionCap !== undefined) parseVersion(options.versionCap)
    if (options.timeout !== undefined && !(options.timeout > 0)) throw new StewardError('INVALID_TARGET', `An RPC timeout must be a number of seconds > 0, not ${options.timeout}.`)
    return new Prepared(this, options)
  }

  /** The header of a request to a target, with the caller's deadline. */
  header(options: PrepareOptions, ctx: RequestContext, method: string, timeoutMs: number): RequestHeader {
    const deadline = Math.min(ctx.deadline ?? Number.POSITIVE_INFINITY, Date.now() + timeoutMs)
    // One object shape for every request (absent fields are undefined, which JSON leaves out):
    // this is on the path of every call.
    return {
      topic: options.topic,
      method,
      server: options.server,
      version: options.version,
      ctx: {requestId: ctx.requestId, caller: ctx.caller, deadline, traceParent: ctx.traceParent},
    } as RequestHeader
  }

  /** Whether a request for (topic, server) can be delivered in this process. */
  isLocal(topic: string, server: string | undefined): boolean {
    return this.options.local?.has(topic, server) ?? false
  }

  /**
   * One live target, round-robin over the topic's services; synchronous while the resolver's
   * snapshot is fresh, so a call costs no extra promise. `key` is routeKey(topic, server), which a
   * prepared client builds once rather than on every call.
   */
  pickOne(topic: string, server: string | undefined, method: string, key = routeKey(topic, server)): RouteTarget | Promise<RouteTarget> {
    const cached = this.options.resolver.cached(topic, server, key)
    if (cached !== undefined) return this.rotate(key, cached)
    return this.options.resolver.require(topic, server, method).then((targets) => this.rotate(key, targets))
  }

  private rotate(key: string, targets: readonly RouteTarget[]): RouteTarget {
    // The rotation starts at a random service: a short-lived client (each `steward call` is one)
    // sends a single call, and starting at 0 sent every one of them to the same service.
    const index = (this.roundRobin.get(key) ?? Math.floor(Math.random() * targets.length)) % targets.length
    this.roundRobin.set(key, index + 1)
    return targets[index]!
  }
}

class Prepared implements PreparedClient {
  private readonly timeoutMs: number
  private readonly routeKey: string

  constructor(
    private readonly client: StewardRpcClient,
    private readonly options: PrepareOptions,
  ) {
    this.timeoutMs = (options.timeout ?? client.options.timeoutSeconds) * 1000
    this.routeKey = routeKey(options.topic, options.server)
  }

  canSendVersion(version: string): boolean {
    return canSendVersion(this.options.versionCap, version)
  }

  call(ctx: RequestContext, method: string, args: Record<string, unknown> = {}): Promise<unknown> {
    // With the profiler off this check is all tracing costs; with it on, for a call not sampled.
    const sampled = activeTracing?.sample(ctx) ?? ctx
    if (sampled === true) return activeTracing!.send('call', this.options.topic, method, this.options.server, ctx, (traced) => this.send(traced, method, args))
    return this.send(sampled, method, args)
  }

  private send(ctx: RequestContext, method: string, args: Record<string, unknown>): Promise<unknown> {
    const {options, client} = this
    let header: RequestHeader
    try {
      if (options.fanout) throw new StewardError('INVALID_TARGET', `A call cannot fan out (topic ${options.topic}, method ${method}); cast instead.`)
      this.checkCap(method)
      header = client.header(options, ctx, method, this.timeoutMs)
      if (client.isLocal(options.topic, options.server)) return client.options.local!.deliver(header, args)
    } catch (error) {
      return Promise.reject(error)
    }
    const picked = client.pickOne(options.topic, options.server, method, this.routeKey)
    return picked instanceof Promise ? picked.then((target) => this.sendTo(target, header, args)) : this.sendTo(picked, header, args)
  }

  private sendTo(target: RouteTarget, header: RequestHeader, args: Record<string, unknown>): Promise<unknown> {
    header.server = target.server
    return this.client.options.pool.to(target).call(header, args, this.timeoutMs)
  }

  cast(ctx: RequestContext, method: string, args: Record<string, unknown> = {}): Promise<void> {
    const sampled = activeTracing?.sample(ctx) ?? ctx
    if (sampled === true) return activeTracing!.send(this.options.fanout ? 'fanout' : 'cast', this.options.topic, method, this.options.server, ctx, (traced) => this.sendCast(traced, method, args))
    return this.sendCast(sampled, method, args)
  }

  private async sendCast(ctx: RequestContext, method: string, args: Record<string, unknown>): Promise<void> {
    const {options, client} = this
    this.checkCap(method)
    const header = client.header(options, ctx, method, this.timeoutMs)
    if (!options.fanout && client.isLocal(options.topic, options.server)) {
      this.deliverLocally(header, args)
      return
    }
    if (!options.fanout) {
      const target = await client.pickOne(options.topic, options.server, method, this.routeKey)
      client.options.pool.to(target).cast({...header, server: target.server}, args)
      return
    }
    // Fanout: every service of the topic on this host directly, every other one through its host.
    for (const endpoint of client.options.local?.listeners(options.topic, options.server) ?? []) {
      this.deliverLocally({...header, server: endpoint.server}, args)
    }
    for (const target of await client.options.resolver.resolve(options.topic, options.server)) {
      if (client.isLocal(options.topic, target.server)) continue
      client.options.pool.to(target).cast({...header, server: target.server}, args)
    }
  }

  private deliverLocally(header: RequestHeader, args: Record<string, unknown>): void {
    this.client.options.local!.deliver(header, args, true).catch((error: unknown) => {
      this.client.options.log.warn(`cast ${header.topic}.${header.method} failed`, {error})
    })
  }

  private checkCap(method: string): void {
    const {version, versionCap} = this.options
    if (versionCap !== undefined && !canSendVersion(versionCap, version)) {
      throw new StewardError('RPC_VERSION_CAP', `${method} needs version ${version ?? '(none)'}, above this client's cap ${versionCap}.`, {
        data: {method, version, versionCap},
      })
    }
  }
}
