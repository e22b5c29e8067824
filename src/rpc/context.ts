import {randomBytes} from 'node:crypto'

/** The context every call carries: who asked, under which request, until when. */
export interface RequestContext {
  requestId: string
  /** The host that made the request. */
  caller: string
  /** Epoch milliseconds after which the caller no longer waits; undefined for none. */
  deadline?: number
  /** W3C traceparent of the caller's span, when tracing is on. */
  traceParent?: string
}

// Request ids are a random prefix per process and a counter: unique like a UUID for this use, at
// a fraction of randomUUID's cost, which showed on the path of every call.
const idPrefix = `req-${randomBytes(6).toString('hex')}-`
let idCounter = 0

export function createContext(caller: string, deadline?: number): RequestContext {
  idCounter = (idCounter + 1) % Number.MAX_SAFE_INTEGER
  const requestId = idPrefix + idCounter.toString(36)
  return deadline === undefined ? {requestId, caller} : {requestId, caller, deadline}
}

/**
 * The context under another trace parent. Built field by field: V8 (Node 20) took ~0.9 µs for
 * `{...ctx, traceParent}` against ~0.04 µs for this, on the path of every traced call.
 */
export function underTraceParent(ctx: RequestContext, traceParent: string): RequestContext {
  return ctx.deadline === undefined ? {requestId: ctx.requestId, caller: ctx.caller, traceParent} : {requestId: ctx.requestId, caller: ctx.caller, deadline: ctx.deadline, traceParent}
}

/** Where and how messages go (oslo.messaging's Target plus the client's options). */
export interface PrepareOptions {
  /** The topic: any live service of it, round-robin (a service of this host first). */
  topic: string
  /** One service host (`topic.server`), such as `node1` or `node1@backend`. */
  server?: string
  /** The RPC API version the messages need, `major.minor`. */
  version?: string
  /** Seconds a call waits for its reply. @default rpc_response_timeout */
  timeout?: number
  /** Casts go to every live service of the topic. Calls cannot fan out. */
  fanout?: boolean
  /** The highest version this client may send, `major.minor`. */
  versionCap?: string
}

/** A client bound to a target. */
export interface PreparedClient {
  /** Send and wait for the reply: the method's result, or its error rebuilt. */
  call(ctx: RequestContext, method: string, args?: Record<string, unknown>): Promise<unknown>
  /** Send without waiting for any reply: at most once. */
  cast(ctx: RequestContext, method: string, args?: Record<string, unknown>): Promise<void>
  /** Whether a message of this version may be sent under the version cap. */
  canSendVersion(version: string): boolean
}

/** What managers use to reach other services. */
export interface RpcClient {
  prepare(options: PrepareOptions): PreparedClient
}
