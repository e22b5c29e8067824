/**
 * The seam between the hot paths and the profiler. Nothing here imports OpenTelemetry: RPC, the
 * services and the API read `activeTracing`, and while the profiler is off it is undefined, so the
 * whole cost of tracing is that one check (docs/observability.md, "Off means free"). The
 * OpenTelemetry side (otel-tracing.ts) is imported only by a host that has `profiler_enabled`.
 */
import type {RequestContext} from '../rpc/context.js'

/** Which RPC send a client span stands for. */
export type RpcSendKind = 'call' | 'cast' | 'fanout'

/** A service as spans name it: its binary (`steward-share`), topic and service host (`node1@fast`). */
export interface TracedService {
  binary: string
  topic: string
  host: string
}

/** One driver method's run, timed where the driver runs (a generation's worker, or inline). */
export interface DriverCallRecord {
  /** The traceparent of the RPC or periodic span the driver was called under. */
  traceParent: string
  driver: string
  method: string
  /** Epoch milliseconds, with the fraction performance.timeOrigin gives. */
  startMs: number
  durationMs: number
  error?: {code: string; message: string}
}

/** The reload record's part that a span needs (a ReloadRecord fits). */
export interface ReloadOutcome {
  trigger: string
  generation: number
  durationMs: number
  ok: boolean
  error?: string
  code?: string
}

/** The slowest recent server spans of a service, for monitors (the TUI's service detail). */
export interface SlowTrace {
  traceId: string
  name: string
  durationMs: number
  /** Epoch milliseconds. */
  at: number
  error: boolean
}

/** Spans for plugin authors: `setupProfiler(binary, host)` returns one while the profiler is on. */
export interface Profiler {
  readonly binary: string
  readonly host: string
  /**
   * Run `fn` inside a span named `name`, child of the context's trace parent; `fn` gets a context
   * whose traceParent is the new span's, to pass on to RPC calls. A throw marks the span errored.
   */
  trace<T>(ctx: RequestContext, name: string, fn: (ctx: RequestContext) => Promise<T> | T, attributes?: Record<string, string | number | boolean>): Promise<T>
}

/** The span of one HTTP request, ended with its answer's status and the route that served it. */
export interface HttpSpan {
  traceParent: string
  end(statusCode: number, route: string | undefined): void
}

/**
 * What the hot paths call while the profiler is on. They ask `sample(ctx)` first and call `send`
 * or `serve` only for a request that is recorded, so one that is not costs no more than the
 * question. Each runs `run` with the context to send on.
 */
export interface Tracing {
  profiler(binary: string, host: string): Profiler
  /**
   * The request's sampling decision here. `true` when its spans are recorded: as its traceparent
   * says, or for a new trace, for profiler_sample_ratio of the request ids (the same decision on
   * every host) within profiler_trace_rate_limit. Otherwise the context to go on with unrecorded:
   * `ctx` itself or, for a new trace the rate limit declined, `ctx` with an unsampled traceparent
   * that tells the hosts it reaches.
   */
  sample(ctx: RequestContext): true | RequestContext
  /** A recorded call, cast or fanout from this process: a CLIENT (call) or PRODUCER (cast, fanout) span. */
  send<T>(kind: RpcSendKind, topic: string, method: string, server: string | undefined, ctx: RequestContext, run: (ctx: RequestContext) => Promise<T>): Promise<T>
  /** A recorded call or cast a service of this host serves: a SERVER (call) or CONSUMER (cast) span. */
  serve(service: TracedService, method: string, cast: boolean, ctx: RequestContext, run: (ctx: RequestContext) => Promise<unknown>): Promise<unknown>
  /** One run of a service's due periodic tasks. */
  periodic(service: TracedService, run: (ctx: RequestContext) => Promise<number>): Promise<number>
  /** A reload or replacement that has finished, as a span ending now. */
  reload(service: TracedService, outcome: ReloadOutcome): void
  /** A driver method timed elsewhere (a worker thread), as a span under its RPC span. */
  driverCall(service: TracedService, record: DriverCallRecord): void
  /**
   * An HTTP request the API serves, child of the request's own `traceparent` header when it has
   * one; `traceParent` is what the request's RPC calls carry. Undefined when it is not recorded
   * and has no caller's traceparent to pass on.
   */
  http(incomingTraceParent: string | undefined, requestId: string, method: string, path: string): HttpSpan | undefined
  /** The slowest server spans of the last minutes, per service binary and host (`binary host`). */
  slowest(service: {binary: string; host: string}): SlowTrace[]
  /** New traces this process began in the sample, recorded or refused by the rate limit, since it started. */
  newTraces(): {recorded: number; rateLimited: number}
}

/** The profiler of this process, or undefined while it is off. */
export let activeTracing: Tracing | undefined

/** Set by the host that starts the profiler, unset when it stops. */
export function setActiveTracing(tracing: Tracing | undefined): void {
  activeTracing = tracing
}

/**
 * Manila's `setup_profiler(binary, host)`: the profiler a service of `binary` on `host` traces
 * with, or undefined when `profiler_enabled` is off (or in a generation's worker thread, where the
 * host traces the manager's calls for it).
 *
 * @example
 * const profiler = setupProfiler('steward-share', this.host)
 * await (profiler ? profiler.trace(ctx, 'resize', (traced) => this.resize(traced)) : this.resize(ctx))
 */
export function setupProfiler(binary: string, host: string): Profiler | undefined {
  return activeTracing?.profiler(binary, host)
}
