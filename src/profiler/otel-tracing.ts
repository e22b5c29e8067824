import {randomBytes} from 'node:crypto'
import {ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer} from '@opentelemetry/api'
import {resourceFromAttributes} from '@opentelemetry/resources'
import {BasicTracerProvider, type SpanProcessor} from '@opentelemetry/sdk-trace-base'
import {underTraceParent, type RequestContext} from '../rpc/context.js'
import {SlowestSpans} from './slowest-spans.js'
import {TraceBudget} from './trace-budget.js'
import {formatTraceParent, isSampledTraceParent, parseTraceParent} from './trace-parent.js'
import type {DriverCallRecord, HttpSpan, Profiler, ReloadOutcome, RpcSendKind, SlowTrace, TracedService, Tracing} from './tracing.js'

/** The tracer's instrumentation scope. */
const SCOPE = 'steward'

/**
 * The profiler's OpenTelemetry side: one tracer provider per binary (so a collector sees
 * `steward-share` and `steward-scheduler` as services, as Manila's osprofiler names them), all
 * feeding the same span processors. Parents come from the request context's traceParent, never
 * from an ambient context: a context crosses worker threads and hosts as plain data.
 */
export class OtelTracing implements Tracing {
  private readonly tracers = new Map<string, Tracer>()
  private readonly profilers = new Map<string, Profiler>()
  private readonly slow = new SlowestSpans()
  private readonly budget: TraceBudget
  /**
   * What a new trace the rate limit declined carries instead of a span's traceparent: the same
   * for all of them, since nothing of them is recorded; its flags say "not sampled".
   */
  private readonly declined = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`

  constructor(
    /** This process's host name: the host of the host's own spans (RPC clients, the API). */
    private readonly host: string,
    private readonly processors: readonly SpanProcessor[],
    /** profiler_sample_ratio: the share of new traces recorded. */
    private readonly sampleRatio = 1,
    /** profiler_trace_rate_limit: new traces recorded a second at most; 0 for no limit. */
    traceRateLimit = 0,
  ) {
    this.budget = new TraceBudget(traceRateLimit)
  }

  profiler(binary: string, host: string): Profiler {
    const key = `${binary} ${host}`
    let profiler = this.profilers.get(key)
    if (profiler === undefined) {
      const tracer = this.tracer(binary, host)
      profiler = {
        binary,
        host,
        // A request that is not recorded stays so: its spans would start a trace of their own.
        trace: async (ctx, name, fn, attributes = {}) => {
          const sampled = this.sample(ctx)
          return sampled === true ? this.active(tracer, name, SpanKind.INTERNAL, ctx, attributes, async (traced) => fn(traced)) : fn(sampled)
        },
      }
      this.profilers.set(key, profiler)
    }
    return profiler
  }

  send<T>(kind: RpcSendKind, topic: string, method: string, server: string | undefined, ctx: RequestContext, run: (ctx: RequestContext) => Promise<T>): Promise<T> {
    const attributes: Attributes = {'rpc.system': 'steward', 'rpc.service': topic, 'rpc.method': method, 'steward.send': kind, 'steward.request_id': ctx.requestId}
    if (server !== undefined) attributes['steward.server'] = server
    return this.active(this.tracer('steward', this.host), `${topic}/${method}`, kind === 'call' ? SpanKind.CLIENT : SpanKind.PRODUCER, ctx, attributes, run)
  }

  serve(service: TracedService, method: string, cast: boolean, ctx: RequestContext, run: (ctx: RequestContext) => Promise<unknown>): Promise<unknown> {
    const attributes: Attributes = {
      'rpc.system': 'steward',
      'rpc.service': service.topic,
      'rpc.method': method,
      'steward.server': service.host,
      'steward.caller': ctx.caller,
      'steward.request_id': ctx.requestId,
    }
    const span = this.tracer(service.binary, service.host).startSpan(`${service.topic}/${method}`, {kind: cast ? SpanKind.CONSUMER : SpanKind.SERVER, attributes}, parentOf(ctx))
    const key = `${service.binary} ${service.host}`
    const startedAt = performance.now()
    return this.settle(span, ctx, run, (errored) => {
      this.slow.add(key, {traceId: span.spanContext().traceId, name: `${service.topic}/${method}`, durationMs: performance.now() - startedAt, at: Date.now(), error: errored})
    })
  }

  periodic(service: TracedService, run: (ctx: RequestContext) => Promise<number>): Promise<number> {
    const span = this.tracer(service.binary, service.host).startSpan('periodic_tasks', {kind: SpanKind.INTERNAL, attributes: {'steward.topic': service.topic}}, ROOT_CONTEXT)
    return this.settle(span, {requestId: `periodic-${span.spanContext().spanId}`, caller: service.host}, async (traced) => {
      const ran = await run(traced)
      span.setAttribute('steward.tasks_run', ran)
      return ran
    })
  }

  reload(service: TracedService, outcome: ReloadOutcome): void {
    const end = Date.now()
    const span = this.tracer(service.binary, service.host).startSpan(
      'reload',
      {kind: SpanKind.INTERNAL, startTime: end - outcome.durationMs, attributes: {'steward.topic': service.topic, 'steward.trigger': outcome.trigger, 'steward.generation': outcome.generation}},
      ROOT_CONTEXT,
    )
    if (!outcome.ok) failed(span, outcome.code ?? 'RELOAD_FAILED', outcome.error ?? 'the reload failed')
    span.end(end)
  }

  driverCall(service: TracedService, record: DriverCallRecord): void {
    if (!isSampledTraceParent(record.traceParent)) return
    const parent = contextOf(record.traceParent)
    const span = this.tracer(service.binary, service.host).startSpan(
      `${record.driver}/${record.method}`,
      {kind: SpanKind.INTERNAL, startTime: record.startMs, attributes: {'steward.driver': record.driver, 'steward.driver.method': record.method}},
      parent,
    )
    if (record.error !== undefined) failed(span, record.error.code, record.error.message)
    span.end(record.startMs + record.durationMs)
  }

  /** An HTTP request the API serves; the caller's `traceparent` header, when sent, is its parent. */
  http(incomingTraceParent: string | undefined, requestId: string, method: string, path: string): HttpSpan | undefined {
    const caller = incomingTraceParent === undefined ? undefined : parseTraceParent(incomingTraceParent)
    const ctx = caller === undefined ? {requestId, caller: this.host} : {requestId, caller: this.host, traceParent: incomingTraceParent!}
    // Not recorded: the caller's decision goes on with its traceparent, or this host's with the request id.
    const sampled = this.sample(ctx)
    if (sampled !== true) return sampled.traceParent === undefined ? undefined : {traceParent: sampled.traceParent, end: () => undefined}
    const parent = caller === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, caller)
    const span = this.tracer('steward-api', this.host).startSpan(`${method}`, {kind: SpanKind.SERVER, attributes: {'http.request.method': method, 'url.path': path}}, parent)
    return {
      traceParent: traceParentOf(span),
      end: (statusCode, route) => {
        span.setAttribute('http.response.status_code', statusCode)
        if (route !== undefined) {
          span.setAttribute('http.route', route)
          span.updateName(`${method} ${route}`)
        }
        if (statusCode >= 500) span.setStatus({code: SpanStatusCode.ERROR, message: `HTTP ${statusCode}`})
        span.end()
      },
    }
  }

  slowest(service: {binary: string; host: string}): SlowTrace[] {
    return this.slow.list(`${service.binary} ${service.host}`)
  }

  newTraces(): {recorded: number; rateLimited: number} {
    return {recorded: this.budget.granted, rateLimited: this.budget.refused}
  }

  private tracer(binary: string, host: string): Tracer {
    const key = `${binary} ${host}`
    let tracer = this.tracers.get(key)
    if (tracer === undefined) {
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({'service.name': binary, 'host.name': host, 'service.namespace': 'steward'}),
        spanProcessors: [...this.processors],
      })
      tracer = provider.getTracer(SCOPE)
      this.tracers.set(key, tracer)
    }
    return tracer
  }

  sample(ctx: RequestContext): true | RequestContext {
    if (ctx.traceParent !== undefined) return isSampledTraceParent(ctx.traceParent) || ctx
    // A new trace. Not in the sample: every host it reaches takes the same decision from its id.
    if (!(this.sampleRatio >= 1 || (this.sampleRatio > 0 && requestShare(ctx.requestId) < this.sampleRatio))) return ctx
    // Over the rate limit, a decision of this host alone: the request carries it on.
    return this.budget.take() || underTraceParent(ctx, this.declined)
  }

  private active<T>(tracer: Tracer, name: string, kind: SpanKind, ctx: RequestContext, attributes: Attributes, run: (ctx: RequestContext) => Promise<T>): Promise<T> {
    return this.settle(tracer.startSpan(name, {kind, attributes}, parentOf(ctx)), ctx, run)
  }

  /**
   * Run with the span as the context's trace parent, and end the span as the work settles. The
   * caller gets the work's own promise, not one chained after it: a chained (or async) wrapper
   * answered a recorded call a few microtask turns after the untraced ones of its batch, so it
   * missed their send and went out alone; with 1% of calls recorded, that split most batches in two
   * and cost a third of the calls per second in bench/rpc.
   */
  private settle<T>(span: Span, ctx: RequestContext, run: (ctx: RequestContext) => Promise<T>, ended?: (errored: boolean) => void): Promise<T> {
    const finish = (error?: {failure: unknown}): void => {
      if (error !== undefined) {
        const failure = error.failure as {code?: unknown; name?: unknown; message?: unknown} | undefined
        const code = typeof failure?.code === 'string' ? failure.code : typeof failure?.name === 'string' ? failure.name : 'Error'
        failed(span, code, typeof failure?.message === 'string' ? failure.message : String(error.failure))
      }
      span.end()
      ended?.(error !== undefined)
    }
    let running: Promise<T>
    try {
      running = run(underTraceParent(ctx, traceParentOf(span)))
    } catch (failure) {
      finish({failure})
      return Promise.reject(failure)
    }
    running.then(
      () => finish(),
      (failure: unknown) => finish({failure}),
    )
    return running
  }
}

function parentOf(ctx: RequestContext): Context {
  return ctx.traceParent === undefined ? ROOT_CONTEXT : contextOf(ctx.traceParent)
}

/** The context whose parent is the remote span a traceparent names; the root context when malformed. */
function contextOf(traceParent: string): Context {
  const parent = parseTraceParent(traceParent)
  return parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent)
}

function traceParentOf(span: Span): string {
  return formatTraceParent(span.spanContext())
}

/**
 * Where a request id falls in [0, 1): the same on every host, so the hosts a request reaches take
 * the same decision for a trace nobody records, with nothing sent to say so. FNV-1a, then
 * MurmurHash3's finalizer: ids differ only in their last characters (a counter), and FNV-1a alone
 * leaves that in its low bits.
 */
function requestShare(requestId: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < requestId.length; index++) hash = Math.imul(hash ^ requestId.charCodeAt(index), 0x01000193)
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b)
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35)
  return ((hash ^ (hash >>> 16)) >>> 0) / 0x1_0000_0000
}

/** Mark a span errored with steward's error code (`error.type`, OpenTelemetry's attribute for it). */
function failed(span: Span, code: string, message: string): void {
  span.setAttribute('error.type', code)
  span.setStatus({code: SpanStatusCode.ERROR, message: `${code}: ${message}`})
}
