import {afterEach, describe, expect, it} from 'vitest'
import {startApiHost} from '../helpers/api-host.js'
import {fixturePlugins} from '../helpers/rpc-hosts.js'
import {killLeftovers, makeTestDir, runCli, runJson, writeConfig} from '../helpers/steward-process.js'

afterEach(killLeftovers)

/** The fixture-api-routes plugin: the `meter` topic, its route set at /meter and its middleware. */
const meter = (pipeline: string[]) => ({topics: ['meter'], config: {meter: {manager: 'api-meter'}, api_pipeline: pipeline}})

interface Reading {
  id: string
  value: number
  host: string
  requestId: string
}

describe('API routes and middleware from a plugin', () => {
  it('serves a plugin route set that reads its collection and changes data through its manager over RPC', async () => {
    const api = await startApiHost(meter(['request-log', 'core', 'meter-guard', 'meter-api']))
    const created = await api.request('/meter/readings', {method: 'POST', json: {value: 3}, headers: {'x-request-id': 'meter-trace-7'}})
    expect(created.status).toBe(201)
    const reading = created.body as Reading
    // The request id reached the manager through the route's RPC context, and its log line.
    expect(reading).toMatchObject({value: 3, host: 'apihost', requestId: 'meter-trace-7'})
    await api.host.waitForOutput(/meter read 3 for request meter-trace-7/)

    expect(await api.request('/meter/readings')).toMatchObject({status: 200, body: {readings: [reading]}})
    expect(await api.request(`/meter/readings/${reading.id}`)).toMatchObject({status: 200, body: reading})
    expect(await api.request('/meter/readings/nope')).toMatchObject({status: 404, body: {code: 'READING_NOT_FOUND', message: 'No reading nope.'}})

    // The route's schema: a wrong type, a missing or unknown field is 400, never 500.
    for (const json of [{value: 'three'}, {}, {value: 1, unit: 'kWh'}, '{"value": ']) {
      const answer = await api.request('/meter/readings', {method: 'POST', json})
      expect({status: answer.status, body: answer.body}, JSON.stringify(json)).toMatchObject({status: 400, body: {code: 'API_REQUEST_INVALID'}})
    }
    expect(await api.request('/meter/readings', {method: 'POST', headers: {'content-type': 'text/plain'}, body: 'value=3'})).toMatchObject({status: 415})

    const text = await api.request('/meter/text')
    expect(text).toMatchObject({status: 200, text: '"plain words"'})
    expect(text.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await api.request('/meter/nothing', {method: 'DELETE'})).toMatchObject({status: 204, text: ''})
    expect(await api.request('/meter/echo?a=1&a=2&b=x')).toMatchObject({status: 200, body: {query: {a: ['1', '2'], b: 'x'}}})

    // A route that throws something that is no HttpError nor StewardError: 500, the cause only in the log.
    const failed = await api.request('/meter/fail', {headers: {'x-request-id': 'broken-1'}})
    expect(failed).toMatchObject({status: 500, body: {code: 'API_INTERNAL_ERROR'}})
    expect(failed.text).not.toContain('the meter route broke')
    await api.host.waitForOutput(/ERROR .*API request failed: the meter route broke requestId=broken-1/)
  })

  it('applies a middleware to the route sets after it in the pipeline, and to no other', async () => {
    const api = await startApiHost(meter(['request-log', 'core', 'meter-guard', 'meter-api']))
    const deny = {'x-meter-deny': 'yes'}
    expect(await api.request('/meter/readings', {headers: deny})).toMatchObject({status: 403, body: {code: 'METER_DENIED', message: 'The meter guard refused this request.'}})
    expect(await api.request('/v1/services', {headers: deny})).toMatchObject({status: 200})
    expect(await api.request('/meter/readings')).toMatchObject({status: 200})
    await api.host.waitForOutput(/meter-guard saw GET \/meter\/readings answered 200/)
    expect(api.host.output).not.toContain('meter-guard saw GET /v1/services')
  })

  it('serves only what the pipeline names: without "core", no /v1 routes (/healthz is the service\'s own)', async () => {
    const api = await startApiHost(meter(['meter-api']))
    expect(await api.request('/v1/services')).toMatchObject({status: 404, body: {code: 'API_NOT_FOUND'}})
    expect(await api.request('/healthz')).toMatchObject({status: 200, body: {status: 'ok', host: 'apihost'}})
    expect(await api.request('/meter/readings')).toMatchObject({status: 200, body: {readings: []}})
  })

  it('refuses a pipeline that names an unknown element, one twice, or ends with middleware (API_PIPELINE_INVALID)', async () => {
    const dir = await makeTestDir('steward-api-')
    const cases: Array<[string[], string]> = [
      [['core', 'meter-ap'], 'no middleware or route set is named "meter-ap".'],
      [['core', 'core'], '"core" is listed twice.'],
      [['core', 'meter-guard'], 'middleware "meter-guard" comes after the last route set, so it applies to nothing.'],
      [['request-log'], 'no route set: the API would answer nothing but 404.'],
    ]
    for (const [pipeline, message] of cases) {
      await writeConfig(dir, {plugin_dirs: [fixturePlugins], api_listen_port: 0, api_pipeline: pipeline})
      const result = await runCli(['start', 'api', '--host', 'piped'], {cwd: dir})
      expect(result.code, pipeline.join()).toBe(78)
      expect(result.stderr).toContain(message)
      expect(result.stderr).toContain('Code: API_PIPELINE_INVALID')
    }
    const unknown = await runCli(['start', 'api', '--host', 'piped', '--config', await writeConfig(dir, {plugin_dirs: [fixturePlugins], api_pipeline: ['nope']})], {cwd: dir})
    expect(unknown.stderr).toMatch(/Try: Known: metrics, request-log, core, (.+, )?meter-api, meter-guard/)
  })

  it('lists the routes a plugin provides in `steward plugins`', async () => {
    const dir = await makeTestDir('steward-api-')
    await writeConfig(dir, {plugin_dirs: [fixturePlugins]})
    const plugins = await runJson<Array<{name: string; state: string; provides: Record<string, string[]>}>>(['plugins'], {cwd: dir})
    expect(plugins.find((plugin) => plugin.name === 'fixture-api-routes')).toMatchObject({state: 'loaded', provides: {managers: ['api-meter'], drivers: [], routes: ['meter-api', 'meter-guard']}})
  })
})
