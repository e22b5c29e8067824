/**
 * Issue 8, tracing, in real processes: host A serves the HTTP API and the scheduler, host B the
 * share service with two backends, both with profiler_enabled and an OTLP endpoint served by the
 * test. A share created through POST /v2/shares is one trace across both hosts, in the trace
 * files (`steward trace`) and in the OTLP export alike; a failing call is an errored span.
 */
import {access, readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {TraceView} from '../../src/commands/trace/show.js'
import type {MonitorModel} from '../../src/monitor/telemetry.js'
import type {TraceNode, TraceSummary} from '../../src/profiler/read-traces.js'
import type {SpanRecord} from '../../src/profiler/span-record.js'
import {OtlpReceiver} from '../helpers/otlp-receiver.js'
import {parseMetrics, valueOf} from '../helpers/prometheus-text.js'
import {callJson, rpcTestDir, transports} from '../helpers/rpc-hosts.js'
import {startShareSystem, type Share} from '../helpers/share-system.js'
import {killLeftovers, repoRoot, runCli, runJson, StewardProcess} from '../helpers/steward-process.js'

const receivers: OtlpReceiver[] = []
afterEach(async () => {
  await killLeftovers()
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()))
})

/** The spans of a tree, depth first, each with its depth. */
function flatten(nodes: readonly TraceNode[], depth = 0): Array<{span: SpanRecord; depth: number}> {
  return nodes.flatMap((node) => [{span: node.span, depth}, ...flatten(node.children, depth + 1)])
}

describe('tracing (profiler_enabled)', () => {
  it('follows a share created through the API across both hosts, in the trace files and the OTLP export, and marks a failing call errored with its code', async () => {
    const receiver = new OtlpReceiver()
    receivers.push(receiver)
    const endpoint = await receiver.start()
    const system = await startShareSystem({api: true, config: {profiler_enabled: true, profiler_otlp_endpoint: endpoint}})

    const {status, body} = await system.api('/v2/shares', {method: 'POST', json: {size: 1}})
    expect(status, JSON.stringify(body)).toBe(202)
    const {share} = body as {share: Share}
    await system.share.waitForOutput(new RegExp(`share ${share.id} available`))
    const failed = await callJson(system.dir, 'share', 'noSuchMethod', {}, '--server', 'B@fast')
    expect(failed.error?.code).toBe('NO_SUCH_METHOD')
    // What the dashboard's service detail lists: the slowest recent calls, from the host's snapshot.
    const monitored = await runJson<MonitorModel>(['monitor', '--once', '--host', 'B'], {cwd: system.dir})
    const slowOnFast = monitored.services.find((service) => service.host === 'B@fast' && service.topic === 'share')?.telemetry?.slowTraces ?? []

    // A graceful stop writes what is pending: to the trace files, and to the OTLP endpoint.
    for (const host of [system.scheduler, system.share]) {
      host.kill('SIGTERM')
      expect((await host.exited).code).toBe(0)
    }

    const traces = await runJson<TraceSummary[]>(['trace', 'list', '--since', '1h', '--limit', '0'], {cwd: system.dir})
    const created = traces.find((trace) => trace.name === 'POST /v2/shares')
    expect(created, JSON.stringify(traces, null, 1)).toBeDefined()
    expect(created!.errors).toBe(0)

    // The listing's filters: by the root span's name, by a service taking part, errored ones only.
    const listed = async (...flags: string[]): Promise<string[]> => (await runJson<TraceSummary[]>(['trace', 'list', '--since', '1h', '--limit', '0', ...flags], {cwd: system.dir})).map((trace) => trace.name)
    expect(await listed('--name', 'POST /v2')).toEqual(['POST /v2/shares'])
    expect(await listed('--errors')).toEqual(['share/noSuchMethod'])
    expect(await listed('--service', 'steward-api')).toEqual(['POST /v2/shares'])
    expect(await listed('--service', 'steward-share', '--errors')).toEqual(['share/noSuchMethod'])
    expect(await listed('--service', 'steward-api', '--errors')).toEqual([])
    expect(created!.services).toEqual(['steward', 'steward-api', 'steward-scheduler', 'steward-share'])

    const view = await runJson<TraceView>(['trace', 'show', created!.traceId], {cwd: system.dir})
    expect(view.roots).toHaveLength(1)
    const spans = flatten(view.roots)
    const backend = share.host!.replace(/#.*/, '')
    // Each span under the one that caused it: the HTTP request, the API's call to the scheduler,
    // the scheduler serving it, its cast to the chosen backend, the backend serving the cast, and
    // its driver creating the share.
    const path = ['POST /v2/shares', 'scheduler/createShare', 'scheduler/createShare', 'share/createShare', 'share/createShare', 'share-localfs/createShare']
    const where = [
      {kind: 'server', service: 'steward-api', host: 'A'},
      {kind: 'client', service: 'steward', host: 'A'},
      {kind: 'server', service: 'steward-scheduler', host: 'A'},
      {kind: 'producer', service: 'steward', host: 'A'},
      {kind: 'consumer', service: 'steward-share', host: backend},
      {kind: 'internal', service: 'steward-share', host: backend},
    ]
    let parent: SpanRecord | undefined
    for (const [depth, name] of path.entries()) {
      const step = spans.find((candidate) => candidate.depth === depth && candidate.span.name === name && candidate.span.parentSpanId === parent?.spanId)
      expect(step, `${name} at depth ${depth}`).toBeDefined()
      expect(step!.span).toMatchObject({...where[depth], status: 'unset'})
      parent = step!.span
    }
    expect(created!.hosts).toEqual(['A', backend])
    expect(view.summary.traceId).toBe(created!.traceId)

    // The same tree as text: one line per span, indented under its parent.
    const shown = await runCli(['trace', 'show', created!.traceId.slice(0, 8)], {cwd: system.dir})
    expect(shown.code, shown.stderr).toBe(0)
    const lines = shown.stdout.split('\n')
    expect(lines[0]).toMatch(new RegExp(`^Trace ${created!.traceId}: .* ms, \\d+ spans on A, ${backend}, no errors`))
    const rowOf = (pattern: RegExp): number => lines.findIndex((line) => pattern.test(line))
    const rows = [/^POST \/v2\/shares +server +steward-api +A /, /^└─ scheduler\/createShare +client +steward +A /, /^ {3}└─ scheduler\/createShare +server +steward-scheduler +A /, /^ {6}[└├]─ share\/createShare +producer /, new RegExp(`^ {9}└─ share/createShare +consumer +steward-share +${backend} `), /^ {12}[└├]─ share-localfs\/createShare +internal /].map(rowOf)
    expect(rows.every((row) => row > 0), shown.stdout).toBe(true)
    expect([...rows].sort((a, b) => a - b)).toEqual(rows)

    // The OTLP export holds the same spans of the trace, from both hosts, with the same parents.
    const exported = receiver.spans.filter((span) => span.traceId === created!.traceId)
    const recorded = spans.map(({span}) => span)
    expect(exported.map((span) => span.spanId).sort()).toEqual(recorded.map((span) => span.spanId).sort())
    for (const span of recorded) {
      const same = exported.find((candidate) => candidate.spanId === span.spanId)!
      expect({name: same.name, parent: same.parentSpanId, service: same.resource['service.name'], host: same.resource['host.name']}).toEqual({name: span.name, parent: span.parentSpanId ?? '', service: span.service, host: span.host})
    }
    expect(receiver.requests.every((request) => request.path === '/v1/traces' && request.contentType === 'application/json')).toBe(true)

    // The failing call: a server span of B@fast, errored with the error's code.
    const failing = traces.find((trace) => trace.name === 'share/noSuchMethod')
    expect(failing).toMatchObject({host: 'B@fast', errors: 1})
    const failedView = await runJson<TraceView>(['trace', 'show', failing!.traceId], {cwd: system.dir})
    expect(failedView.roots[0]!.span).toMatchObject({kind: 'server', status: 'error', attributes: {'error.type': 'NO_SUCH_METHOD', 'rpc.method': 'noSuchMethod'}})
    expect(failedView.roots[0]!.span.error).toMatch(/^NO_SUCH_METHOD: Service steward-share on B@fast has no RPC method "noSuchMethod"/)
    const failedText = await runCli(['trace', 'show', failing!.traceId], {cwd: system.dir})
    expect(failedText.stdout).toMatch(/share\/noSuchMethod +server +steward-share +B@fast .* ERROR NO_SUCH_METHOD: /)
    expect(slowOnFast).toContainEqual(expect.objectContaining({traceId: failing!.traceId, name: 'share/noSuchMethod', error: true}))
    const exportedFailure = receiver.spans.find((span) => span.traceId === failing!.traceId)
    expect(exportedFailure).toMatchObject({name: 'share/noSuchMethod', status: {code: 2}, attributes: {'error.type': 'NO_SUCH_METHOD'}})
  })

  it('records at most profiler_trace_rate_limit new traces, and none of a declined request on any host it reaches', async () => {
    // Host A (API and scheduler) starts one new trace in 1,000 s; host B has no limit.
    const system = await startShareSystem({api: true, config: {profiler_enabled: true, profiler_trace_rate_limit: 0}, envA: {STEWARD_PROFILER_TRACE_RATE_LIMIT: '0.001'}})
    const created: Share[] = []
    for (let index = 0; index < 4; index++) {
      const {status, body} = await system.api('/v2/shares', {method: 'POST', json: {size: 1}})
      expect(status, JSON.stringify(body)).toBe(202)
      created.push((body as {share: Share}).share)
    }
    for (const share of created) await system.share.waitForOutput(new RegExp(`share ${share.id} available`))
    // Host A counts what its limit decided: its one new trace, and at least the four requests.
    const counted = parseMetrics((await runCli(['metrics', '--host', 'A'], {cwd: system.dir})).stdout)
    expect(valueOf(counted, 'steward_profiler_traces_total', {host: 'A', decision: 'recorded'})).toBe(1)
    expect(valueOf(counted, 'steward_profiler_traces_total', {host: 'A', decision: 'rate_limited'})).toBeGreaterThanOrEqual(4)
    for (const host of [system.scheduler, system.share]) {
      host.kill('SIGTERM')
      expect((await host.exited).code).toBe(0)
    }
    const traces = await runJson<TraceSummary[]>(['trace', 'list', '--since', '1h', '--limit', '0'], {cwd: system.dir})
    const shown = JSON.stringify(traces, null, 1)
    // A's one new trace may have gone to its start-up (the scheduler asks the backends for their capabilities).
    expect(traces.filter((trace) => trace.name === 'POST /v2/shares').length, shown).toBeLessThanOrEqual(1)
    expect(traces.filter((trace) => trace.host === 'A' && trace.name !== 'periodic_tasks').length, shown).toBe(1)
    // The declined requests carried A's decision to B, which records every new trace of its own
    // (its periodic tasks, its reports) but began none for them.
    expect(traces.some((trace) => trace.host === 'B' && trace.name === 'scheduler/updateServiceCapabilities'), shown).toBe(true)
    expect(traces.filter((trace) => trace.name === 'share/createShare'), shown).toEqual([])
  })

  it('answers a trace id it cannot find, or a malformed one, with a code', async () => {
    const system = await startShareSystem({config: {profiler_enabled: true}})
    system.scheduler.kill('SIGTERM')
    system.share.kill('SIGTERM')
    await Promise.all([system.scheduler.exited, system.share.exited])
    const missing = await runCli(['trace', 'show', 'abcdef0123', '--json'], {cwd: system.dir})
    expect(missing.code).toBe(66)
    expect(JSON.parse(missing.stdout)).toMatchObject({error: {code: 'TRACE_NOT_FOUND'}})
    const malformed = await runCli(['trace', 'list', '--min-duration', 'slow'], {cwd: system.dir})
    expect([malformed.code, malformed.stderr]).toEqual([64, expect.stringContaining('Code: TRACE_QUERY_INVALID')])
  })

  it('with the profiler off (the default), a host never loads OpenTelemetry and writes no traces', async () => {
    const dir = await rpcTestDir(transports[0]![1])
    const log = path.join(dir, 'imports.log')
    const recorder = path.join(repoRoot, 'test', 'fixtures', 'record-imports.mjs')
    const host = new StewardProcess(['start', 'probe', '--host', 'A'], {cwd: dir, env: {IMPORT_LOG: log}, command: [process.execPath, '--import', recorder, path.join(repoRoot, 'bin', 'run.js')]})
    await host.waitForOutput(/host A running/)
    const answered = await callJson(dir, 'probe', 'echo', {value: 1})
    expect(answered.error).toBeUndefined()
    host.kill('SIGTERM')
    expect((await host.exited).code).toBe(0)
    const urls = (await readFile(log, 'utf8')).split('\n')
    expect(urls.some((url) => url.includes('/dist/profiler/tracing.js'))).toBe(true)
    expect(urls.filter((url) => url.includes('@opentelemetry') || url.includes('/dist/profiler/otel-tracing.js'))).toEqual([])
    await expect(access(path.join(dir, 'state', 'traces'))).rejects.toThrow(/ENOENT/)
  })
})
