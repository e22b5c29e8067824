/**
 * ApiService's lifecycle in-process: a memory store, a plugin route set whose handler waits for
 * the test to let it finish, and real HTTP requests on a port the system picked.
 */
import http from 'node:http'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {captureLog, makeConfig, removeTempDirs} from '../../test/helpers/service-harness.js'
import type {ApiPipelineEntry} from '../api/api-types.js'
import type {RouteSource} from '../api/pipeline.js'
import type {ConfigFlags} from '../config/load-config.js'
import {isStewardError} from '../errors/index.js'
import type {RpcClient} from '../rpc/context.js'
import {openMemoryStore} from '../store/open-store.js'
import type {StateStore} from '../store/types.js'
import {ApiService} from './api-service.js'

interface Gate {
  entered: Promise<void>
  open: () => void
}

/** A route set whose /gated/wait answers only once the test opens the gate it entered. */
function gatedRoutes(): {source: RouteSource; gate: () => Gate} {
  let current: {enter: () => void; opened: Promise<void>} | undefined
  const gates: Gate[] = []
  const gate = (): Gate => {
    let enter!: () => void
    let open!: () => void
    const entered = new Promise<void>((resolve) => (enter = resolve))
    const opened = new Promise<void>((resolve) => (open = resolve))
    current = {enter, opened}
    const made = {entered, open}
    gates.push(made)
    return made
  }
  const entry: ApiPipelineEntry = {
    routes: [
      {
        method: 'GET',
        path: '/wait',
        handler: async () => {
          const waiting = current!
          waiting.enter()
          await waiting.opened
          return {waited: true}
        },
      },
      {method: 'GET', path: '/now', handler: () => ({now: 'new'})},
    ],
  }
  const source: RouteSource = {
    plugins: [{routes: ['gated']}],
    loadRoutes: async (name) => (name === 'gated' ? {entry, plugin: {name: 'gated-plugin'}} : undefined),
  }
  return {source, gate}
}

const noRpc: RpcClient = {
  prepare: () => {
    throw new Error('no RPC in these tests')
  },
}

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: unknown
}

/** One request on a connection of its own (no keep-alive pool), so a closed port shows. */
function get(port: number, pathname: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get({host: '127.0.0.1', port, path: pathname, agent: false}, (response) => {
      let text = ''
      response.on('data', (chunk: Buffer) => (text += chunk.toString()))
      response.on('end', () => resolve({status: response.statusCode!, headers: response.headers, body: text === '' ? undefined : JSON.parse(text)}))
      response.on('error', reject)
    })
    request.on('error', reject)
  })
}

let services: ApiService[] = []
let stores: StateStore[] = []

afterEach(async () => {
  await Promise.all(services.map((service) => service.stop({graceful: false})))
  await Promise.all(stores.map((store) => store.close()))
  services = []
  stores = []
})
afterAll(removeTempDirs)

async function makeService(flags: ConfigFlags = {}, routes?: RouteSource): Promise<{service: ApiService; store: StateStore; log: ReturnType<typeof captureLog>}> {
  const config = makeConfig({api_listen_port: 0, api_pipeline: ['core', 'gated'], ...flags})
  const store = openMemoryStore()
  const now = new Date().toISOString()
  await store.putHost({name: 'test-host', endpoint: 'ipc:///nowhere', publicKey: null, pid: process.pid, version: '0.0.0', startedAt: now, updatedAt: now, stoppedAt: null})
  const log = captureLog()
  const service = ApiService.create({config, store, rpc: noRpc, log: log.log, routes: routes ?? gatedRoutes().source, hostRecord: 'test-host'})
  services.push(service)
  stores.push(store)
  return {service, store, log}
}

describe('ApiService', () => {
  it('knows its port after start (port 0), records it in the host record, and takes it out on stop; wait() resolves then', async () => {
    const {service, store} = await makeService()
    expect(service.port).toBeUndefined()
    await service.start()
    const port = service.port!
    expect(port).toBeGreaterThan(0)
    expect((await store.listHosts())[0]!.apis).toEqual([{name: 'api', url: `http://127.0.0.1:${port}`, address: '127.0.0.1', port, token: false, startedAt: expect.any(String), example: {method: 'GET', path: '/v1/services'}}])
    expect(await get(port, '/healthz')).toMatchObject({status: 200, body: {status: 'ok', host: 'test-host'}})

    let waited = false
    const waiting = service.wait().then(() => (waited = true))
    await service.stop()
    await waiting
    expect(waited).toBe(true)
    expect(service.state).toBe('stopped')
    expect((await store.listHosts())[0]!.apis).toEqual([])
    await expect(get(port, '/healthz')).rejects.toThrow(/ECONNREFUSED/)
  })

  it('stops gracefully: a request in flight is answered, new connections are refused meanwhile', async () => {
    const {source, gate} = gatedRoutes()
    const {service} = await makeService({}, source)
    await service.start()
    const port = service.port!
    const held = gate()
    const inFlight = get(port, '/gated/wait')
    await held.entered

    let stopped = false
    const stopping = service.stop({graceful: true}).then(() => (stopped = true))
    await expect(get(port, '/healthz')).rejects.toThrow(/ECONNREFUSED/)
    expect(stopped).toBe(false)
    held.open()
    expect(await inFlight).toMatchObject({status: 200, body: {waited: true}})
    await stopping
    expect(service.state).toBe('stopped')
  })

  it('stops at once when not graceful: the request in flight loses its connection', async () => {
    const {source, gate} = gatedRoutes()
    const {service} = await makeService({}, source)
    await service.start()
    const held = gate()
    const inFlight = get(service.port!, '/gated/wait')
    await held.entered
    await service.stop({graceful: false})
    await expect(inFlight).rejects.toThrow(/socket hang up|ECONNRESET/)
    held.open()
  })

  it('ends a graceful stop at graceful_shutdown_timeout when a request never finishes, and says so', async () => {
    const {source, gate} = gatedRoutes()
    const {service, log} = await makeService({graceful_shutdown_timeout: 0.2}, source)
    await service.start()
    const held = gate()
    const inFlight = get(service.port!, '/gated/wait').catch((error: unknown) => error)
    await held.entered
    await service.stop({graceful: true})
    expect(log.messages('warn')).toContain('stopped before every API request in flight was answered: graceful_shutdown_timeout (0.2 s) passed')
    expect(await inFlight).toBeInstanceOf(Error)
    held.open()
  })

  it('resets while running: a new application serves on the same port; a request in flight finishes in the old one', async () => {
    const {source, gate} = gatedRoutes()
    const {service, log} = await makeService({api_pipeline: ['core', 'gated']}, source)
    await service.start()
    const port = service.port!
    const held = gate()
    const inFlight = get(port, '/gated/wait')
    await held.entered

    await service.reset({config: makeConfig({api_listen_port: 0, api_pipeline: ['gated']})})
    expect(service.port).toBe(port)
    expect(await get(port, '/v1/hosts')).toMatchObject({status: 404, body: {code: 'API_NOT_FOUND'}})
    expect(await get(port, '/gated/now')).toMatchObject({status: 200})
    held.open()
    expect(await inFlight).toMatchObject({status: 200, body: {waited: true}})
    expect(log.messages('info')).toContain('API reset: a new application serves')
  })

  it('keeps the old application when a reset fails', async () => {
    const {service} = await makeService()
    await service.start()
    const failed = await service.reset({config: makeConfig({api_listen_port: 0, api_pipeline: ['core', 'missing']})}).catch((error: unknown) => error)
    expect(isStewardError(failed, 'API_PIPELINE_INVALID')).toBe(true)
    expect(await get(service.port!, '/v1/hosts')).toMatchObject({status: 200})
  })

  it('starts again after stop and reset, as Manila\'s WSGIService does', async () => {
    const {service} = await makeService()
    await service.start()
    await service.stop()
    await service.start()
    expect(service.state).toBe('stopped')
    await service.reset()
    expect(service.state).toBe('created')
    await service.start()
    expect(await get(service.port!, '/healthz')).toMatchObject({status: 200})
  })

  it('refuses at create a listen address beyond loopback without a token', () => {
    const config = makeConfig({api_listen: '0.0.0.0'})
    const create = (): ApiService => ApiService.create({config, store: openMemoryStore(), rpc: noRpc, log: captureLog().log, routes: gatedRoutes().source})
    expect(create).toThrow(expect.objectContaining({code: 'API_TOKEN_REQUIRED'}))
  })
})
