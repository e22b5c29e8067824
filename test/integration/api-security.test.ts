import {writeFile} from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {HostView} from '../../src/service/service-state.js'
import {API_TOKEN, startApiHost} from '../helpers/api-host.js'
import {fixturePlugins} from '../helpers/rpc-hosts.js'
import {killLeftovers, makeTestDir, runCli, runJson, StewardProcess, writeConfig} from '../helpers/steward-process.js'

afterEach(killLeftovers)

const apiConfig = {plugin_dirs: [fixturePlugins], report_interval: 1, periodic_fuzzy_delay: 0, api_listen_port: 0}

/** A port something else listens on, and a way to free it. */
async function occupiedPort(): Promise<{port: number; close: () => Promise<void>}> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve()))}
}

describe('the HTTP API with a token', () => {
  it('requires the token on every route but /healthz, as a Bearer token or X-Auth-Token, before reading the body', async () => {
    const api = await startApiHost({token: true})
    expect(await api.request('/healthz')).toMatchObject({status: 200, body: {status: 'ok'}})

    for (const [method, pathname] of [['GET', '/v1/services'], ['GET', '/v1/hosts'], ['PUT', '/v1/services/disable'], ['POST', '/v1/rpc/probe/echo'], ['GET', '/no/such/route']] as const) {
      const json = method === 'GET' ? undefined : {host: 'apihost', binary: 'steward-probe'}
      const missing = await api.request(pathname, {method, ...(json === undefined ? {} : {json})})
      expect({status: missing.status, body: missing.body}, `${method} ${pathname}`).toMatchObject({status: 401, body: {code: 'API_UNAUTHORIZED'}})
      expect(missing.headers.get('www-authenticate')).toBe('Bearer')
      const wrong = await api.request(pathname, {method, token: `${API_TOKEN}x`, ...(json === undefined ? {} : {json})})
      expect({status: wrong.status, body: wrong.body}, `${method} ${pathname} with a wrong token`).toMatchObject({status: 401, body: {code: 'API_UNAUTHORIZED', message: 'The token is not this API\'s.'}})
    }
    // The service was not disabled by the refused request.
    expect((await api.request('/v1/services?status=disabled', {token: API_TOKEN})).body).toEqual({services: []})

    expect(await api.request('/v1/services', {token: API_TOKEN})).toMatchObject({status: 200})
    expect(await api.request('/v1/services', {headers: {'x-auth-token': API_TOKEN}})).toMatchObject({status: 200})
    expect(await api.request('/v1/services', {headers: {authorization: `Basic ${Buffer.from(`x:${API_TOKEN}`).toString('base64')}`}})).toMatchObject({status: 401})
    expect(await api.request('/no/such/route', {token: API_TOKEN})).toMatchObject({status: 404, body: {code: 'API_NOT_FOUND'}})
    // An oversized body without the token is refused for the token, unread.
    expect(await api.request('/v1/rpc/probe/echo', {method: 'POST', json: {args: {blob: 'x'.repeat(2_000_000)}}})).toMatchObject({status: 401})
    expect(await api.request('/v1/rpc/probe/echo', {method: 'POST', token: API_TOKEN, json: {args: {blob: 'x'.repeat(2_000_000)}}})).toMatchObject({status: 413})
    expect(await api.request('/v1/rpc/probe/whoami', {method: 'POST', token: API_TOKEN})).toMatchObject({status: 200, body: {result: 'apihost'}})

    // Refusals are logged with the request id and the client's address; the token never is.
    const refused = await api.request('/v1/hosts', {headers: {'x-request-id': 'intruder-1'}})
    expect(refused.status).toBe(401)
    await api.host.waitForOutput(/WARN .*API request refused: no token requestId=intruder-1 method=GET url=\/v1\/hosts from=127\.0\.0\.1/)
    expect(api.host.output).not.toContain(API_TOKEN)
    const [view] = await runJson<HostView[]>(['hosts'], {cwd: api.dir})
    expect(view!.apis).toMatchObject([{token: true, address: '127.0.0.1'}])
  })

  it('takes a new token on `steward services reload api`, on the same port, without a restart', async () => {
    const api = await startApiHost({token: true})
    const rotated = 'rotated-token-fedcba9876543210'
    await writeFile(path.join(api.dir, 'api.token'), rotated)
    const reloaded = await runJson<{binary: string; state: string}>(['services', 'reload', 'api', '--host', 'apihost'], {cwd: api.dir})
    expect(reloaded).toMatchObject({binary: 'steward-api', state: 'running'})
    expect(await api.request('/v1/services', {token: API_TOKEN})).toMatchObject({status: 401})
    expect(await api.request('/v1/services', {token: rotated})).toMatchObject({status: 200})
    const [view] = await runJson<HostView[]>(['hosts'], {cwd: api.dir})
    expect(view!.apis[0]!.url).toBe(api.url)

    // A token file that became unusable: the reset fails, and the API keeps the token it had.
    await writeFile(path.join(api.dir, 'api.token'), 'short')
    const failed = await runCli(['services', 'reload', 'api', '--host', 'apihost'], {cwd: api.dir})
    expect(failed.code).not.toBe(0)
    expect(failed.stderr).toContain('API_TOKEN_FILE_INVALID')
    expect(await api.request('/v1/services', {token: rotated})).toMatchObject({status: 200})
  })
})

describe('where the HTTP API may listen', () => {
  it('refuses to start beyond loopback without a token (API_TOKEN_REQUIRED), before binding anything', async () => {
    const dir = await makeTestDir('steward-api-')
    await writeConfig(dir, {...apiConfig, api_listen: '0.0.0.0'})
    const result = await runCli(['start', 'probe', 'api', '--host', 'open'], {cwd: dir})
    expect(result.code).toBe(78)
    expect(result.stderr).toContain('The HTTP API would listen on 0.0.0.0, beyond loopback, without a token.')
    expect(result.stderr).toContain('Code: API_TOKEN_REQUIRED')
    expect(result.stderr).toMatch(/Try: Write a token to a file .* and set api_token_file to it\./)
    // Nothing ran: no host was recorded.
    expect((await runCli(['hosts', '--json'], {cwd: dir})).stdout).toContain('STORE_NOT_FOUND')
  })

  it('listens beyond loopback with a token, and requires it there too', async () => {
    const api = await startApiHost({token: true, config: {api_listen: '0.0.0.0'}})
    const [view] = await runJson<HostView[]>(['hosts'], {cwd: api.dir})
    expect(view!.apis).toMatchObject([{address: '0.0.0.0', token: true}])
    expect(await api.request('/v1/services')).toMatchObject({status: 401})
    expect(await api.request('/v1/services', {token: API_TOKEN})).toMatchObject({status: 200})
  })

  it('refuses a token file that is missing or too short (API_TOKEN_FILE_INVALID)', async () => {
    const dir = await makeTestDir('steward-api-')
    await writeFile(path.join(dir, 'short.token'), 'abc\n')
    for (const [file, message] of [
      ['short.token', 'must be one word of at least 16 characters; it has 3'],
      ['missing.token', 'Cannot read the API token file'],
    ] as const) {
      await writeConfig(dir, {...apiConfig, api_token_file: file})
      const result = await runCli(['start', 'api', '--host', 'badtoken'], {cwd: dir})
      expect(result.code, file).toBe(78)
      expect(result.stderr).toContain('Code: API_TOKEN_FILE_INVALID')
      expect(result.stderr).toContain(message)
      expect(result.stderr).toContain(path.join(dir, file))
    }
  })

  it('fails with API_LISTEN_FAILED on a port in use; with other services the host runs on without the API', async () => {
    const taken = await occupiedPort()
    try {
      const dir = await makeTestDir('steward-api-')
      await writeConfig(dir, {...apiConfig, api_listen_port: taken.port})
      const alone = await runCli(['start', 'api', '--host', 'busy'], {cwd: dir})
      expect(alone.code).toBe(74)
      expect(alone.stderr).toContain(`The HTTP API cannot listen on 127.0.0.1:${taken.port}`)
      expect(alone.stderr).toContain('Code: API_LISTEN_FAILED')

      const host = new StewardProcess(['start', 'probe', 'api', '--host', 'busy2'], {cwd: dir})
      await host.waitForOutput(/host busy2 running/)
      expect(host.output).toMatch(/ERROR .*The HTTP API cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE.* code=API_LISTEN_FAILED/)
      const [view] = (await runJson<HostView[]>(['hosts'], {cwd: dir})).filter((candidate) => candidate.name === 'busy2')
      expect(view).toMatchObject({state: 'up', apis: []})
      host.kill('SIGTERM')
      expect(await host.exited).toEqual({code: 0, signal: null})
    } finally {
      await taken.close()
    }
  })

  it('is started and stopped on a running host with `steward services start|stop api`', async () => {
    const dir = await makeTestDir('steward-api-')
    await writeConfig(dir, apiConfig)
    const host = new StewardProcess(['start', 'probe', '--host', 'later'], {cwd: dir})
    await host.waitForOutput(/host later running/)
    const apis = async (): Promise<HostView['apis']> => (await runJson<HostView[]>(['hosts'], {cwd: dir}))[0]!.apis
    expect(await apis()).toEqual([])

    expect(await runJson(['services', 'start', 'api', '--host', 'later'], {cwd: dir})).toMatchObject({binary: 'steward-api', state: 'running'})
    const [endpoint] = await apis()
    expect((await fetch(`${endpoint!.url}/healthz`)).status).toBe(200)
    const again = await runCli(['services', 'start', 'api', '--host', 'later', '--json'], {cwd: dir})
    expect(again.stdout).toContain('SERVICE_ALREADY_RUNNING')

    expect(await runJson(['services', 'stop', 'api', '--host', 'later'], {cwd: dir})).toMatchObject({binary: 'steward-api', state: 'stopped'})
    expect(await apis()).toEqual([])
    await expect(fetch(`${endpoint!.url}/healthz`)).rejects.toThrow()
    // The host's error crosses RPC with what to do about it.
    const stopped = await runCli(['services', 'stop', 'api', '--host', 'later'], {cwd: dir})
    expect(stopped).toMatchObject({code: 1, stderr: 'Error: Host later runs no service of topic api.\nCode: SERVICE_NOT_FOUND\nTry: Start it: steward services start api --host later\n'})
    host.kill('SIGTERM')
    expect(await host.exited).toEqual({code: 0, signal: null})
  })
})
