import {afterEach, describe, expect, it} from 'vitest'
import {isStewardError} from '../../src/errors/index.js'
import {createContext} from '../../src/rpc/context.js'
import type {HostMetricsResult} from '../../src/commands/metrics.js'
import {apiUrl, startApiHost, type ApiHost} from '../helpers/api-host.js'
import {parseMetrics, family, valueOf, type Scrape} from '../helpers/prometheus-text.js'
import {openTestClient} from '../helpers/rpc-hosts.js'
import {killLeftovers, runCli, StewardProcess, writeConfig, makeTestDir} from '../helpers/steward-process.js'
import {fixturePlugins} from '../helpers/rpc-hosts.js'

afterEach(killLeftovers)

async function scrape(api: Pick<ApiHost, 'request'>): Promise<Scrape> {
  const answer = await api.request('/metrics')
  expect(answer.status).toBe(200)
  expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
  return parseMetrics(answer.text)
}

async function stopped(host: StewardProcess): Promise<void> {
  host.kill('SIGTERM')
  expect(await host.exited).toEqual({code: 0, signal: null})
}

const probe = {host: 'mhost', topic: 'probe'}

describe('GET /metrics of a host process', () => {
  it('moves the call, cast and error counters by exactly the number of requests made, over ZeroMQ and through the API', async () => {
    const api = await startApiHost({host: 'mhost'})
    const before = await scrape(api)
    for (const name of ['steward_rpc_calls_total', 'steward_rpc_casts_total', 'steward_rpc_errors_total', 'steward_rpc_call_duration_seconds', 'steward_service_heartbeat_age_seconds', 'steward_store_commit_duration_seconds', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(family(before, name).help).not.toBe('')
    }
    expect(family(before, 'steward_rpc_calls_total').type).toBe('COUNTER')
    expect(family(before, 'steward_rpc_call_duration_seconds').type).toBe('HISTOGRAM')
    expect(valueOf(before, 'process_resident_memory_bytes', {host: 'mhost'})).toBeGreaterThan(0)

    const {client, close} = await openTestClient(api.dir)
    const target = client.prepare({topic: 'probe', server: 'mhost'})
    const ctx = createContext('vitest')
    const calls = 37
    const casts = 5
    const failures = 4
    for (let index = 0; index < calls; index++) await target.call(ctx, 'echo', {index})
    for (let index = 0; index < failures; index++) {
      const failed = await target.call(ctx, 'fail', {code: 'PROBE_EXHAUSTED'}).catch((error: unknown) => error)
      expect(failed).toMatchObject({code: 'PROBE_EXHAUSTED'})
    }
    const lockFailure = await target.call(ctx, 'failSteward', {}).catch((error: unknown) => error)
    expect(isStewardError(lockFailure, 'LOCK_ACQUIRE_FAILED')).toBe(true)
    for (let index = 0; index < casts; index++) await target.cast(ctx, 'record', {tag: `cast-${index}`})
    // A cast has no answer: the service's record of them says when all have run.
    expect(await target.call(ctx, 'recorded', {})).toHaveLength(casts)
    // Through the HTTP API: the route's call is a local one, counted the same.
    const viaApi = 3
    for (let index = 0; index < viaApi; index++) expect((await api.request('/v1/rpc/probe/echo', {method: 'POST', json: {}})).status).toBe(200)
    await close()

    const after = await scrape(api)
    const delta = (name: string, labels: Record<string, string> = {}): number => valueOf(after, name, {...probe, ...labels}) - valueOf(before, name, {...probe, ...labels})
    // echo, fail, failSteward, recorded, and the API's echo calls.
    const callsMade = calls + failures + 1 + 1 + viaApi
    expect(delta('steward_rpc_calls_total')).toBe(callsMade)
    expect(delta('steward_rpc_casts_total')).toBe(casts)
    expect(delta('steward_rpc_errors_total', {code: 'PROBE_EXHAUSTED'})).toBe(failures)
    expect(delta('steward_rpc_errors_total', {code: 'LOCK_ACQUIRE_FAILED'})).toBe(1)
    expect(valueOf(after, 'steward_rpc_in_flight', probe)).toBe(0)
    // Under 256 requests a second every call is timed, so the histogram counts each one once.
    expect(delta('steward_rpc_call_duration_seconds_count')).toBe(callsMade)
    expect(delta('steward_rpc_call_duration_seconds_bucket', {le: '+Inf'})).toBe(callsMade)
    expect(delta('steward_rpc_call_duration_seconds_sum')).toBeGreaterThan(0)
    // Buckets are cumulative.
    const buckets = after.samples.filter((sample) => sample.name === 'steward_rpc_call_duration_seconds_bucket' && sample.labels.host === 'mhost').map((sample) => sample.value)
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b))
    // The heartbeats of the host's store, and the service's own (report_interval 1).
    expect(valueOf(after, 'steward_store_commits_total', {host: 'mhost'})).toBeGreaterThan(0)
    expect(valueOf(after, 'steward_store_commit_duration_seconds_count', {host: 'mhost'})).toBe(valueOf(after, 'steward_store_commits_total', {host: 'mhost'}))
    expect(valueOf(after, 'steward_service_heartbeat_age_seconds', probe)).toBeGreaterThanOrEqual(0)
    expect(valueOf(after, 'steward_service_generation', probe)).toBe(1)
    await stopped(api.host)
  })

  it('asks for the token when the API has one, as every route but /healthz does', async () => {
    const api = await startApiHost({host: 'mtoken', token: true})
    const refused = await api.request('/metrics')
    expect(refused).toMatchObject({status: 401, body: {code: 'API_UNAUTHORIZED'}})
    const answered = await api.request('/metrics', {token: 'test-token-0123456789abcdef'})
    expect(answered.status).toBe(200)
    expect(valueOf(parseMetrics(answered.text), 'steward_rpc_calls_total', {host: 'mtoken', topic: 'probe'})).toBe(0)
    expect((await api.request('/metrics?format=json', {token: 'test-token-0123456789abcdef'})).status).toBe(400)
    await stopped(api.host)
  })

  it('answers the host process\'s metrics from every API worker (api_workers 2)', async () => {
    const dir = await makeTestDir('steward-metrics-')
    await writeConfig(dir, {plugin_dirs: [fixturePlugins], report_interval: 1, periodic_fuzzy_delay: 0, api_listen_port: 0, api_workers: 2})
    const host = new StewardProcess(['start', 'probe', 'api', '--host', 'mworkers'], {cwd: dir})
    await host.waitForOutput(/host mworkers running/)
    const url = await apiUrl(dir, 'mworkers')
    const {client, close} = await openTestClient(dir)
    const calls = 11
    for (let index = 0; index < calls; index++) await client.prepare({topic: 'probe', server: 'mworkers'}).call(createContext('vitest'), 'echo', {})
    await close()
    // Several scrapes on fresh connections: node:cluster hands them to both workers, and each
    // answers the host's counters, not a worker's own.
    for (let index = 0; index < 6; index++) {
      const answer = await fetch(`${url}/metrics`, {headers: {connection: 'close'}})
      expect(answer.status).toBe(200)
      const scraped = parseMetrics(await answer.text())
      expect(valueOf(scraped, 'steward_rpc_calls_total', {host: 'mworkers', topic: 'probe'})).toBe(calls)
      expect(valueOf(scraped, 'process_start_time_seconds', {host: 'mworkers'})).toBeGreaterThan(0)
    }
    const {stdout} = await runCli(['metrics', '--host', 'mworkers', '--json'], {cwd: dir})
    const [metrics] = (JSON.parse(stdout) as {hosts: Array<{metrics: Array<{name: string; values: Array<{value: number}>}>}>}).hosts
    expect(metrics!.metrics.find((metric) => metric.name === 'steward_rpc_calls_total')!.values[0]!.value).toBe(calls)
    await stopped(host)
  })
})

describe('steward metrics', () => {
  it('prints a host\'s metrics in the text format, every up host\'s without --host, and --json', async () => {
    const api = await startApiHost({host: 'mcli'})
    const {client, close} = await openTestClient(api.dir)
    const calls = 9
    for (let index = 0; index < calls; index++) await client.prepare({topic: 'probe'}).call(createContext('vitest'), 'echo', {})
    await close()

    const text = await runCli(['metrics', '--host', 'mcli'], {cwd: api.dir})
    expect(text.code).toBe(0)
    const scraped = parseMetrics(text.stdout)
    expect(valueOf(scraped, 'steward_rpc_calls_total', {host: 'mcli', topic: 'probe'})).toBe(calls)

    const all = await runCli(['metrics'], {cwd: api.dir})
    expect(all.code).toBe(0)
    expect(all.stdout).toContain('steward_rpc_calls_total{host="mcli",topic="probe"} 9')

    const json = await runCli(['metrics', '--json'], {cwd: api.dir})
    expect(json.code).toBe(0)
    const {hosts} = JSON.parse(json.stdout) as {hosts: HostMetricsResult[]}
    expect(hosts.map((entry) => entry.host)).toEqual(['mcli'])
    const metrics = (hosts[0] as {metrics: Array<{name: string; type: string; values: Array<{value: number; labels: Record<string, string>}>}>}).metrics
    expect(metrics.find((metric) => metric.name === 'steward_rpc_calls_total')).toMatchObject({type: 'counter', values: [{value: calls, labels: {host: 'mcli', topic: 'probe'}}]})

    // A reload is counted, and the service's counters carry over it (they are the host's, not the generation's).
    expect((await runCli(['services', 'reload', 'probe', '--host', 'mcli'], {cwd: api.dir})).code).toBe(0)
    const reloaded = parseMetrics((await runCli(['metrics', '--host', 'mcli'], {cwd: api.dir})).stdout)
    expect(valueOf(reloaded, 'steward_service_reloads_total', {host: 'mcli', topic: 'probe', result: 'ok'})).toBe(1)
    expect(valueOf(reloaded, 'steward_service_reloads_total', {host: 'mcli', topic: 'probe', result: 'failed'})).toBe(0)
    expect(valueOf(reloaded, 'steward_service_generation', {host: 'mcli', topic: 'probe'})).toBe(2)
    expect(valueOf(reloaded, 'steward_rpc_calls_total', {host: 'mcli', topic: 'probe'})).toBe(calls)

    const unknown = await runCli(['metrics', '--host', 'nosuchhost', '--json'], {cwd: api.dir})
    expect(unknown.code).not.toBe(0)
    expect(JSON.parse(unknown.stdout)).toMatchObject({error: {code: 'NO_SERVICE_AVAILABLE'}})
    // The host topic's metrics method names the formats it has.
    const xml = await runCli(['call', 'host', 'metrics', '{"format": "xml"}', '--server', 'mcli', '--json'], {cwd: api.dir})
    expect(xml.code).not.toBe(0)
    expect(JSON.parse(xml.stdout)).toMatchObject({error: {code: 'INVALID_TARGET', message: 'The metrics format is "text" or "json", not "xml".'}})
    const badTimeout = await runCli(['metrics', '--timeout', '0'], {cwd: api.dir})
    expect(badTimeout.code).not.toBe(0)
    expect(badTimeout.stderr).toMatch(/greater than or equal to 1/)
    await stopped(api.host)
  })
})
