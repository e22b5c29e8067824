import {SpanKind, SpanStatusCode} from '@opentelemetry/api'
import {InMemorySpanExporter, SimpleSpanProcessor} from '@opentelemetry/sdk-trace-base'
import {describe, expect, it} from 'vitest'
import {StewardError} from '../errors/index.js'
import {createContext} from '../rpc/context.js'
import {OtelTracing} from './otel-tracing.js'

function tracing(sampleRatio = 1, traceRateLimit = 0): {tracing: OtelTracing; exporter: InMemorySpanExporter} {
  const exporter = new InMemorySpanExporter()
  return {tracing: new OtelTracing('A', [new SimpleSpanProcessor(exporter)], sampleRatio, traceRateLimit), exporter}
}

const share = {binary: 'steward-share', topic: 'share', host: 'B@fast'}

describe('OtelTracing', () => {
  it('links a client span and the server span it caused through the context traceParent', async () => {
    const {tracing: t, exporter} = tracing()
    const answer = await t.send('call', 'share', 'createShare', 'B@fast', createContext('A'), (ctx) => t.serve(share, 'createShare', false, ctx, async (served) => served.traceParent))
    const [server, client] = exporter.getFinishedSpans()
    expect(client!.kind).toBe(SpanKind.CLIENT)
    expect(server!.kind).toBe(SpanKind.SERVER)
    expect(server!.parentSpanContext?.spanId).toBe(client!.spanContext().spanId)
    expect(server!.spanContext().traceId).toBe(client!.spanContext().traceId)
    // The method is handed the server span as its trace parent, for the calls it makes in turn.
    expect(answer).toBe(`00-${server!.spanContext().traceId}-${server!.spanContext().spanId}-01`)
    expect(server!.resource.attributes['service.name']).toBe('steward-share')
    expect(server!.attributes).toMatchObject({'rpc.system': 'steward', 'rpc.service': 'share', 'rpc.method': 'createShare', 'steward.server': 'B@fast'})
  })

  it('marks a failing call errored with its code, and rethrows the error', async () => {
    const {tracing: t, exporter} = tracing()
    const failure = new StewardError('NO_SUCH_METHOD', 'no such method')
    await expect(t.serve(share, 'nope', false, createContext('A'), () => Promise.reject(failure))).rejects.toBe(failure)
    const [span] = exporter.getFinishedSpans()
    expect(span!.status).toEqual({code: SpanStatusCode.ERROR, message: 'NO_SUCH_METHOD: no such method'})
    expect(span!.attributes['error.type']).toBe('NO_SUCH_METHOD')
    expect(t.slowest(share)).toEqual([expect.objectContaining({traceId: span!.spanContext().traceId, name: 'share/nope', error: true})])
  })

  it('makes casts and fanouts producer spans, and a cast served a consumer span', async () => {
    const {tracing: t, exporter} = tracing()
    await t.send('fanout', 'share', 'publish', undefined, createContext('A'), (ctx) => t.serve(share, 'publish', true, ctx, async () => undefined))
    const [consumer, producer] = exporter.getFinishedSpans()
    expect([producer!.kind, producer!.attributes['steward.send'], consumer!.kind]).toEqual([SpanKind.PRODUCER, 'fanout', SpanKind.CONSUMER])
  })

  it('places a driver call timed elsewhere under its RPC span, with its own times', async () => {
    const {tracing: t, exporter} = tracing()
    let parent = ''
    await t.serve(share, 'createShare', false, createContext('A'), async (ctx) => {
      parent = ctx.traceParent!
    })
    t.driverCall(share, {traceParent: parent, driver: 'share-localfs', method: 'createShare', startMs: 1_000_000, durationMs: 12.5, error: {code: 'EACCES', message: 'denied'}})
    const [server, driver] = exporter.getFinishedSpans()
    expect(driver!.name).toBe('share-localfs/createShare')
    expect(driver!.parentSpanContext?.spanId).toBe(server!.spanContext().spanId)
    expect(driver!.status.code).toBe(SpanStatusCode.ERROR)
    expect(driver!.attributes['error.type']).toBe('EACCES')
    expect(driver!.startTime).toEqual([1000, 0])
    expect(driver!.duration).toEqual([0, 12_500_000])
  })

  it('records a periodic run and a failed reload as root spans', async () => {
    const {tracing: t, exporter} = tracing()
    await t.periodic(share, async (ctx) => (ctx.traceParent === undefined ? 0 : 3))
    t.reload(share, {trigger: 'share-manager.ts changed', generation: 2, durationMs: 40, ok: false, error: 'SyntaxError', code: 'PLUGIN_LOAD_FAILED'})
    const [periodic, reload] = exporter.getFinishedSpans()
    expect(periodic!.name).toBe('periodic_tasks')
    expect(periodic!.attributes['steward.tasks_run']).toBe(3)
    expect(reload!.parentSpanContext).toBeUndefined()
    expect(reload!.attributes).toMatchObject({'steward.trigger': 'share-manager.ts changed', 'steward.generation': 2, 'error.type': 'PLUGIN_LOAD_FAILED'})
  })

  it('continues an HTTP caller\'s trace from its traceparent header, named by the route', () => {
    const {tracing: t, exporter} = tracing()
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    const span = t.http(incoming, 'req-1', 'POST', '/v2/shares')!
    span.end(202, '/v2/shares')
    const [finished] = exporter.getFinishedSpans()
    expect(finished!.name).toBe('POST /v2/shares')
    expect(finished!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c')
    expect(finished!.parentSpanContext?.spanId).toBe('b7ad6b7169203331')
    expect(span.traceParent).toContain(finished!.spanContext().spanId)
  })

  it('records nothing of a trace its caller did not sample, and passes the decision on', () => {
    const {tracing: t, exporter} = tracing()
    const unsampled = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00'
    const ctx = {...createContext('A'), traceParent: unsampled}
    expect(t.sample(ctx)).toBe(ctx)
    expect(t.sample({...createContext('A'), traceParent: unsampled.replace(/00$/, '01')})).toBe(true)
    expect(t.http(unsampled, 'req-1', 'GET', '/v1/services')?.traceParent).toBe(unsampled)
    t.driverCall(share, {traceParent: unsampled, driver: 'share-localfs', method: 'createShare', startMs: 1, durationMs: 1})
    expect(exporter.getFinishedSpans()).toEqual([])
  })

  it('samples new traces by request id: the share profiler_sample_ratio asks for, the same decision on every host', () => {
    const none = tracing(0).tracing
    const ctx = createContext('A')
    expect(none.sample(ctx)).toBe(ctx)
    expect(none.http(undefined, 'req-1', 'GET', '/v1/services')).toBeUndefined()
    const [hostA, hostB] = [tracing(0.25).tracing, tracing(0.25).tracing]
    const contexts = Array.from({length: 4000}, () => createContext('A'))
    const recorded = contexts.filter((ctx) => hostA.sample(ctx) === true)
    expect(recorded.length / contexts.length).toBeGreaterThan(0.2)
    expect(recorded.length / contexts.length).toBeLessThan(0.3)
    expect(contexts.filter((ctx) => hostB.sample(ctx) === true)).toEqual(recorded)
    expect(tracing(1).tracing.sample(createContext('A'))).toBe(true)
  })

  it('starts at most profiler_trace_rate_limit new traces, and marks the ones it declines so that no host records them', async () => {
    const {tracing: hostA, exporter} = tracing(1, 2)
    const hostB = tracing(1, 2)
    const [first, second, third] = [createContext('A'), createContext('A'), createContext('A')]
    expect([hostA.sample(first), hostA.sample(second)]).toEqual([true, true])
    const declined = hostA.sample(third)
    expect(declined).toEqual({...third, traceParent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/)})
    // The host it reaches follows the decision, with its own budget untouched.
    expect(hostB.tracing.sample(declined as typeof third)).toBe(declined)
    expect(hostB.tracing.sample(createContext('A'))).toBe(true)
    // A caller's sampled trace is not a new one: the limit does not apply to it.
    expect(hostA.sample({...createContext('A'), traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'})).toBe(true)
    // An HTTP request over the limit passes the decision on to the calls it makes; nothing is recorded.
    expect(hostA.http(undefined, 'req-9', 'GET', '/v1/services')?.traceParent).toBe((declined as {traceParent: string}).traceParent)
    await hostA.profiler('steward-share', 'A').trace(createContext('A'), 'own', async () => undefined)
    expect(exporter.getFinishedSpans()).toEqual([])
  })

  it('gives plugins a profiler per binary and host whose spans join the request\'s trace', async () => {
    const {tracing: t, exporter} = tracing()
    const profiler = t.profiler('steward-share', 'B@fast')
    expect(t.profiler('steward-share', 'B@fast')).toBe(profiler)
    await t.serve(share, 'createShare', false, createContext('A'), (ctx) => profiler.trace(ctx, 'allocate', async (inner) => inner.traceParent, {'share.size': 3}))
    const [own, server] = exporter.getFinishedSpans()
    expect(own!.name).toBe('allocate')
    expect(own!.parentSpanContext?.spanId).toBe(server!.spanContext().spanId)
    expect(own!.attributes).toEqual({'share.size': 3})
    expect(own!.resource.attributes).toMatchObject({'service.name': 'steward-share', 'host.name': 'B@fast'})
    const unsampled = {...createContext('A'), traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00'}
    expect(await profiler.trace(unsampled, 'allocate', (inner) => inner)).toBe(unsampled)
    expect(exporter.getFinishedSpans()).toHaveLength(2)
  })
})
