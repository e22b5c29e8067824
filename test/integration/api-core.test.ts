import net from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import type {ServiceView} from '../../src/service/service-state.js'
import {startApiHost, type ApiHost} from '../helpers/api-host.js'
import {killLeftovers, runJson} from '../helpers/steward-process.js'

afterEach(killLeftovers)

/** The probe and a probe-scheduler service, so the listing has something to filter. */
const twoServices = {topics: ['probe', 'scheduler'], config: {scheduler: {manager: 'probe-scheduler'}}}

const binaries = (answer: {body: unknown}): string[] => ((answer.body as {services: ServiceView[]}).services ?? []).map((service) => service.binary).sort()

async function stopped(api: ApiHost): Promise<void> {
  api.host.kill('SIGTERM')
  expect(await api.host.exited).toEqual({code: 0, signal: null})
}

describe('the HTTP API of a host, on a port the system picked', () => {
  it('answers on the port recorded in the host record; GET /healthz; request ids in the answer and the log; the record goes on stop', async () => {
    const api = await startApiHost()
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/)
    expect(api.host.output).toContain(`API listening on ${api.url}`)

    const health = await api.request('/healthz')
    expect(health).toMatchObject({status: 200, body: {status: 'ok', host: 'apihost'}})
    expect(health.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(health.headers.get('x-request-id')).toMatch(/^api-[0-9a-f]{12}-[0-9a-z]+$/)

    // A client's own id is kept, and the host's log line of the request carries it.
    const listed = await api.request('/v1/services', {headers: {'x-request-id': 'client-trace-42'}})
    expect(listed.headers.get('x-request-id')).toBe('client-trace-42')
    await api.host.waitForOutput(/GET \/v1\/services status=200 ms=[\d.]+ requestId=client-trace-42/)
    // One that is not plain text is replaced.
    expect((await api.request('/healthz', {headers: {'x-request-id': 'a b'.repeat(3)}})).headers.get('x-request-id')).toMatch(/^api-/)

    await stopped(api)
    expect(api.host.output).toContain('API stopped')
    const [host] = await runJson<Array<{apis: unknown[]; state: string}>>(['hosts'], {cwd: api.dir})
    expect(host).toMatchObject({state: 'stopped', apis: []})
  })

  it('GET /v1/services filters as `steward services list` does, and refuses an unknown filter or value with 400', async () => {
    const api = await startApiHost(twoServices)
    const cases: Array<[string, string[]]> = [
      ['', ['--host', 'apihost']],
      ['?topic=probe', ['--topic', 'probe']],
      ['?binary=steward-scheduler', ['--binary', 'steward-scheduler']],
      ['?host=elsewhere', ['--host', 'elsewhere']],
      ['?state=up&status=enabled', ['--state', 'up', '--status', 'enabled']],
      ['?state=stopped', ['--state', 'stopped']],
    ]
    for (const [query, flags] of cases) {
      const answer = await api.request(`/v1/services${query}`)
      expect(answer.status, query).toBe(200)
      const cli = await runJson<ServiceView[]>(['services', 'list', ...flags], {cwd: api.dir})
      expect(binaries(answer), query).toEqual(cli.map((service) => service.binary).sort())
    }
    expect(binaries(await api.request('/v1/services'))).toEqual(['steward-probe', 'steward-scheduler'])
    const {services} = (await api.request('/v1/services?topic=probe')).body as {services: ServiceView[]}
    expect(services[0]).toMatchObject({host: 'apihost', binary: 'steward-probe', topic: 'probe', status: 'enabled', state: 'up', disabledReason: null})

    for (const query of ['?state=sleeping', '?status=maybe', '?hots=apihost', '?host=', '?host=a&host=b']) {
      const answer = await api.request(`/v1/services${query}`)
      expect(answer.status, query).toBe(400)
      expect(answer.body, query).toMatchObject({code: 'API_REQUEST_INVALID'})
      expect(Object.keys(answer.body as object).sort()).toEqual(['code', 'message'])
    }
  })

  it('PUT /v1/services/disable and /enable change a service as the CLI does, and refuse bad bodies with 400, unknown services with 404', async () => {
    const api = await startApiHost()
    const target = {host: 'apihost', binary: 'steward-probe'}
    const disabled = await api.request('/v1/services/disable', {method: 'PUT', json: {...target, reason: '  disk replacement  '}})
    expect(disabled).toMatchObject({status: 200, body: {service: {...target, status: 'disabled', disabledReason: 'disk replacement'}}})
    const [listed] = await runJson<ServiceView[]>(['services', 'list', '--status', 'disabled'], {cwd: api.dir})
    expect(listed).toMatchObject({...target, disabledReason: 'disk replacement'})
    // Without a reason, too.
    expect(await api.request('/v1/services/disable', {method: 'PUT', json: target})).toMatchObject({status: 200, body: {service: {status: 'disabled', disabledReason: null}}})

    const enabled = await api.request('/v1/services/enable', {method: 'PUT', json: target})
    expect(enabled).toMatchObject({status: 200, body: {service: {...target, status: 'enabled', disabledReason: null}}})

    const bad: Array<[string, unknown, number, string]> = [
      ['disable', {host: 'apihost'}, 400, 'API_REQUEST_INVALID'], // a missing field
      ['disable', {host: 'apihost', binary: 7}, 400, 'API_REQUEST_INVALID'], // a wrong type
      ['disable', {...target, reason: 5}, 400, 'API_REQUEST_INVALID'],
      ['disable', {...target, why: 'x'}, 400, 'API_REQUEST_INVALID'], // an unknown field
      ['disable', {...target, reason: '   '}, 400, 'SERVICE_REASON_INVALID'],
      ['disable', {...target, reason: 'x'.repeat(256)}, 400, 'SERVICE_REASON_INVALID'],
      ['enable', {...target, reason: 'enable takes none'}, 400, 'API_REQUEST_INVALID'],
      ['enable', [target], 400, 'API_REQUEST_INVALID'], // not an object
      ['enable', 'null', 400, 'API_REQUEST_INVALID'],
      ['enable', '{"host": "apihost",', 400, 'API_REQUEST_INVALID'], // malformed JSON
      ['enable', '', 400, 'API_REQUEST_INVALID'], // JSON declared, nothing sent
      ['enable', {host: 'apihost', binary: 'steward-nothing'}, 404, 'SERVICE_NOT_FOUND'],
      ['disable', {host: 'nohost', binary: 'steward-probe'}, 404, 'SERVICE_NOT_FOUND'],
    ]
    for (const [action, json, status, code] of bad) {
      const answer = await api.request(`/v1/services/${action}`, {method: 'PUT', json})
      expect({status: answer.status, body: answer.body}, `${action} ${JSON.stringify(json)}`).toMatchObject({status, body: {code}})
    }
    // The store's path is not in an answer sent over HTTP.
    const missing = await api.request('/v1/services/enable', {method: 'PUT', json: {host: 'apihost', binary: 'steward-nothing'}})
    expect(missing.body).toEqual({code: 'SERVICE_NOT_FOUND', message: 'No service steward-nothing on host apihost.'})
    // No body at all.
    expect(await api.request('/v1/services/enable', {method: 'PUT'})).toMatchObject({status: 400, body: {code: 'API_REQUEST_INVALID'}})
    // Another action is no route.
    expect(await api.request('/v1/services/restart', {method: 'PUT', json: target})).toMatchObject({status: 404, body: {code: 'API_NOT_FOUND'}})
    // Nothing of that changed the service.
    const [after] = await runJson<ServiceView[]>(['services', 'list', '--binary', 'steward-probe'], {cwd: api.dir})
    expect(after).toMatchObject({status: 'enabled', disabledReason: null})
  })

  it('refuses bodies that are not JSON with 415 and bodies over api_max_body_size with 413', async () => {
    const api = await startApiHost({config: {api_max_body_size: 2048}})
    const target = JSON.stringify({host: 'apihost', binary: 'steward-probe'})
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const answer = await api.request('/v1/services/disable', {method: 'PUT', headers: {'content-type': type}, body: type === 'application/x-www-form-urlencoded' ? 'host=apihost' : target})
      expect({status: answer.status, body: answer.body}, type).toMatchObject({status: 415, body: {code: 'API_UNSUPPORTED_MEDIA_TYPE'}})
    }
    // A body without any content type.
    const untyped = await api.request('/v1/rpc/probe/echo', {method: 'POST', body: new Blob([target])})
    expect({status: untyped.status, body: untyped.body}).toMatchObject({status: 415, body: {code: 'API_UNSUPPORTED_MEDIA_TYPE'}})

    const large = {args: {blob: 'x'.repeat(4096)}}
    expect(await api.request('/v1/rpc/probe/echo', {method: 'POST', json: large})).toMatchObject({status: 413, body: {code: 'API_BODY_TOO_LARGE'}})
    // Just under the limit passes.
    expect(await api.request('/v1/rpc/probe/echo', {method: 'POST', json: {args: {blob: 'x'.repeat(1500)}}})).toMatchObject({status: 200})
  })

  it('GET /v1/hosts lists the hosts as `steward hosts` does, with the API endpoint', async () => {
    const api = await startApiHost()
    const answer = await api.request('/v1/hosts')
    expect(answer.status).toBe(200)
    const {hosts} = answer.body as {hosts: Array<Record<string, unknown>>}
    const cli = await runJson<Array<Record<string, unknown>>>(['hosts'], {cwd: api.dir})
    expect(hosts.map(({updatedAt: _updatedAt, ...rest}) => rest)).toEqual(cli.map(({updatedAt: _updatedAt, ...rest}) => rest))
    expect(hosts[0]).toMatchObject({name: 'apihost', state: 'up', apis: [{name: 'api', url: api.url, token: false}]})
    expect((await api.request('/v1/hosts?x=1')).status).toBe(200)
  })

  it('POST /v1/rpc/{topic}/{method} calls through the RPC client, with server, version and timeout, and maps its errors to statuses', async () => {
    const api = await startApiHost()
    const echo = await api.request('/v1/rpc/probe/echo', {method: 'POST', json: {args: {size: 20}, server: 'apihost', version: '1.2', timeout: 5}, headers: {'x-request-id': 'rpc-trace-1'}})
    expect(echo).toMatchObject({status: 200, body: {result: {args: {size: 20}, host: 'apihost', caller: 'api@apihost'}}})
    // No body: no arguments.
    expect(await api.request('/v1/rpc/probe/whoami', {method: 'POST'})).toMatchObject({status: 200, body: {result: 'apihost'}})
    expect(await api.request('/v1/rpc/probe/recorded', {method: 'POST', json: {}})).toMatchObject({status: 200, body: {result: []}})

    const cases: Array<[string, unknown, number, string]> = [
      ['/v1/rpc/probe/echo', {args: [1, 2]}, 400, 'API_REQUEST_INVALID'],
      ['/v1/rpc/probe/echo', {args: 'size=20'}, 400, 'API_REQUEST_INVALID'],
      ['/v1/rpc/probe/echo', {timeout: '5'}, 400, 'API_REQUEST_INVALID'],
      ['/v1/rpc/probe/echo', {timeout: 0}, 400, 'API_REQUEST_INVALID'],
      ['/v1/rpc/probe/echo', {timeout: -1}, 400, 'API_REQUEST_INVALID'],
      ['/v1/rpc/probe/echo', {version: 'one'}, 400, 'API_REQUEST_INVALID'],
      ['/v1/rpc/probe/echo', {server: ''}, 400, 'API_REQUEST_INVALID'],
      ['/v1/rpc/probe/echo', {arguments: {}}, 400, 'API_REQUEST_INVALID'],
      ['/v1/rpc/probe/echo', '{"args": {', 400, 'API_REQUEST_INVALID'],
      ['/v1/rpc/probe/echo', [], 400, 'API_REQUEST_INVALID'],
      ['/v1/rpc/nosuchtopic/echo', {}, 503, 'NO_SERVICE_AVAILABLE'],
      ['/v1/rpc/probe/echo', {server: 'otherhost'}, 503, 'NO_SERVICE_AVAILABLE'],
      ['/v1/rpc/probe/nosuchmethod', {}, 404, 'NO_SUCH_METHOD'],
      ['/v1/rpc/probe/_private', {}, 404, 'NO_SUCH_METHOD'],
      ['/v1/rpc/probe/echo', {version: '2.0'}, 409, 'UNSUPPORTED_VERSION'],
      ['/v1/rpc/probe/echo', {version: '1.9'}, 409, 'UNSUPPORTED_VERSION'],
      ['/v1/rpc/probe/failSteward', {args: {lock: 'l1'}}, 409, 'LOCK_ACQUIRE_FAILED'],
      ['/v1/rpc/probe/fail', {args: {code: 'PROBE_BROKE', message: 'the probe broke'}}, 502, 'PROBE_BROKE'],
      ['/v1/rpc/probe/slow', {args: {ms: 5000}, timeout: 0.2}, 504, 'MESSAGING_TIMEOUT'],
    ]
    for (const [pathname, json, status, code] of cases) {
      const answer = await api.request(pathname, {method: 'POST', json})
      expect({status: answer.status, body: answer.body}, `${pathname} ${JSON.stringify(json)}`).toMatchObject({status, body: {code}})
    }
    const failed = await api.request('/v1/rpc/probe/fail', {method: 'POST', json: {args: {code: 'PROBE_BROKE', message: 'the probe broke'}}})
    expect(failed.body).toEqual({code: 'PROBE_BROKE', message: 'the probe broke'})
    expect(await api.request('/v1/rpc/probe', {method: 'POST', json: {}})).toMatchObject({status: 404, body: {code: 'API_NOT_FOUND'}})
    expect(await api.request('/v1/rpc/probe/echo', {method: 'GET'})).toMatchObject({status: 404, body: {code: 'API_NOT_FOUND'}})
    // No client mistake above got a 500.
    expect(api.host.output).not.toMatch(/API request failed: .*status=500/)
  })

  it('answers an unknown route with 404 JSON, and a request that is not HTTP with 400 JSON before closing the connection', async () => {
    const api = await startApiHost()
    for (const [method, pathname] of [['GET', '/'], ['GET', '/v2/services'], ['DELETE', '/v1/services'], ['GET', '/healthz/deep'], ['GET', '/v1/services/']] as const) {
      const answer = await api.request(pathname, {method})
      expect({status: answer.status, body: answer.body}, `${method} ${pathname}`).toMatchObject({status: 404, body: {code: 'API_NOT_FOUND', message: `No route ${method} ${pathname}; docs/api.md lists the routes.`}})
    }
    const {port} = new URL(api.url)
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'))
      let text = ''
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()))
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(JSON.parse(raw.split('\r\n\r\n')[1]!)).toMatchObject({code: 'API_REQUEST_INVALID'})
    // The host serves on.
    expect((await api.request('/healthz')).status).toBe(200)
  })
})
