import {randomUUID} from 'node:crypto'

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

export function createContext(caller: string, deadline?: number): RequestContext {
  return deadline === undefined ? {requestId: `req-${randomUUID()}`, caller} : {requestId: `req-${randomUUID()}`, caller, deadline}
}

/** Where a message goes: any service of a topic, one host's service, or all of them. */
export interface Target {
  topic: string
  server?: string
  fanout?: boolean
}

/** What managers use to reach other services. Remote delivery comes with the RPC layer. */
export interface RpcClient {
  call(ctx: RequestContext, target: Target, method: string, args?: Record<string, unknown>): Promise<unknown>
  cast(ctx: RequestContext, target: Target, method: string, args?: Record<string, unknown>): Promise<void>
}
