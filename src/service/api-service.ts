import http, {type IncomingMessage, type ServerResponse} from 'node:http'
import {setTimeout as delay} from 'node:timers/promises'
import net, {type AddressInfo, type Socket} from 'node:net'
import type {FastifyInstance} from 'fastify'
import {apiSettings, readApiToken, type ApiName, type ApiSettings, type ApiToken} from '../api/api-settings.js'
import type {ApiExample} from '../api/api-types.js'
import {buildApp, requestIdKey} from '../api/build-app.js'
import type {ApiDeps} from '../api/core-routes.js'
import {pipelineExample, resolvePipeline, type RouteSource} from '../api/pipeline.js'
import {REQUEST_ID_HEADER, requestIdOf} from '../api/request-id.js'
import type {StewardConfig} from '../config/load-config.js'
import {StewardError, describeError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'
import type {RpcClient} from '../rpc/context.js'
import type {ApiEndpointRecord, StateStore} from '../store/types.js'
import {forgetApiEndpoint, recordApiEndpoint} from './api-endpoint-record.js'

export interface ApiServiceOptions {
  /** The API's name: its options are `<name>_listen`, `<name>_listen_port`… @default 'api' */
  name?: ApiName
  config: StewardConfig
  store: StateStore
  /** How core routes and plugin routes reach services. */
  rpc: RpcClient
  log: Logger
  /** Where plugins' route sets and middleware come from (the plugin registry). */
  routes: RouteSource
  /**
   * The host record to write the endpoint into once it listens (`apis` of the hosts collection),
   * and to take it out of on stop. None: not recorded (a process that serves the API for a host
   * that records it itself).
   */
  hostRecord?: string
}

type Lifecycle = 'created' | 'starting' | 'running' | 'stopping' | 'stopped'

/** What a reset replaces. */
interface Adopted {
  config: StewardConfig
  routes: RouteSource
  settings: ApiSettings
  token: ApiToken | undefined
}

const JSON_TYPE = 'application/json; charset=utf-8'

/** GET or HEAD /healthz, with or without a query string. */
function isHealthProbe(request: IncomingMessage): boolean {
  const {url = ''} = request
  return url.startsWith('/healthz') && (url.length === 8 || url.charCodeAt(8) === 63 /* ? */) && (request.method === 'GET' || request.method === 'HEAD')
}

/** How often a graceful stop closes the connections whose last request has been answered. */
const DRAIN_POLL_MS = 20

/**
 * The HTTP API (Manila's WSGIService): an application assembled from `<name>_pipeline`, listening
 * on `<name>_listen`:`<name>_listen_port`. The socket is the service's and outlives the
 * application: `reset()` swaps in an application built anew (token, pipeline, plugin routes)
 * without closing the port, and requests in flight finish in the old one.
 *
 * The socket is a plain `http.Server` listened on without `exclusive`, so processes forked with
 * node:cluster that start an ApiService on the same address share one port.
 */
export class ApiService {
  readonly name: ApiName
  private settings: ApiSettings
  private token: ApiToken | undefined
  private config: StewardConfig
  private routes: RouteSource
  private lifecycle: Lifecycle = 'created'
  private readonly server: http.Server
  /** The application serving now; a reset swaps in another. */
  private app: FastifyInstance | undefined
  private endpointRecord: ApiEndpointRecord | undefined
  private stopping: Promise<void> | undefined
  private stoppedSignal!: Promise<void>
  private markStopped!: () => void
  private readonly log: Logger
  /** The answers of GET /healthz, made once: the probe is answered many times a minute. */
  private readonly healthBody: string
  private readonly healthLength: number
  private readonly stoppingBody: string
  private readonly stoppingLength: number
  /** Open connections: when each was accepted, how many requests it sent, how many are being answered. */
  private readonly connections = new Map<Socket, {since: number; requests: number; active: number}>()

  private constructor(private readonly options: ApiServiceOptions & {name: ApiName}) {
    this.name = options.name
    this.config = options.config
    this.routes = options.routes
    this.settings = apiSettings(options.config.options, options.name)
    this.token = readApiToken(this.settings)
    this.log = options.log.child({service: `steward-${options.name}@${options.config.options.host}`})
    this.healthBody = JSON.stringify({status: 'ok', host: options.config.options.host})
    this.stoppingBody = JSON.stringify({status: 'stopping', host: options.config.options.host})
    this.healthLength = Buffer.byteLength(this.healthBody)
    this.stoppingLength = Buffer.byteLength(this.stoppingBody)
    this.server = http.createServer((request, response) => this.handle(request, response))
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => answerClientError(error, socket))
    this.server.on('connection', (socket: Socket) => {
      this.connections.set(socket, {since: Date.now(), requests: 0, active: 0})
      socket.once('close', () => this.connections.delete(socket))
    })
    this.renewStoppedSignal()
  }

  /**
   * Build the service from the configuration. Refuses at once, before anything listens, settings
   * that would expose the API: beyond loopback without a token (API_TOKEN_REQUIRED), or a token
   * file that cannot be used (API_TOKEN_FILE_INVALID).
   */
  static create(options: ApiServiceOptions): ApiService {
    return new ApiService({...options, name: options.name ?? 'api'})
  }

  get state(): Lifecycle {
    return this.lifecycle
  }

  /** Where it listens, once started. */
  get endpoint(): ApiEndpointRecord | undefined {
    return this.endpointRecord
  }

  /** The port it listens on, known after start() (port 0 picks one). */
  get port(): number | undefined {
    return this.endpointRecord?.port
  }

  /** Build the application, listen, and record the endpoint. */
  async start(): Promise<void> {
    if (this.lifecycle !== 'created') {
      this.log.warn(`start ignored: the API is already ${this.lifecycle}`)
      return
    }
    this.lifecycle = 'starting'
    try {
      const {app, example} = await this.buildApp()
      this.app = app
      const address = await this.listen()
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
      this.endpointRecord = {
        name: this.name,
        url: `http://${host}:${address.port}`,
        address: address.address,
        port: address.port,
        token: this.token !== undefined,
        startedAt: new Date().toISOString(),
        ...(example === undefined ? {} : {example}),
      }
      if (this.options.hostRecord !== undefined) await recordApiEndpoint(this.options.store, this.options.hostRecord, this.endpointRecord, this.log)
    } catch (error) {
      await this.abortStart()
      throw error
    }
    this.lifecycle = 'running'
    const {settings} = this
    this.log.info(`API listening on ${this.endpointRecord.url}`, {pipeline: settings.pipeline, token: this.token !== undefined})
  }

  private deps(): ApiDeps {
    const {store, rpc, log} = this.options
    const {options} = this.config
    return {host: options.host, store, rpc, log, logLevel: options.log_level, downTimeSeconds: options.service_down_time, rpcTimeoutSeconds: options.rpc_response_timeout}
  }

  /** The application of the pipeline, and the request its route sets suggest trying. */
  private async buildApp(): Promise<{app: FastifyInstance; example: ApiExample | undefined}> {
    const deps = this.deps()
    const elements = await resolvePipeline(this.settings.pipeline, this.routes, deps, `${this.name}_pipeline`)
    return {app: await buildApp({elements, token: this.token, maxBodySize: this.settings.maxBodySize, log: deps.log}), example: pipelineExample(elements)}
  }

  private listen(): Promise<AddressInfo> {
    const {listen, port} = this.settings
    return new Promise((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException): void => {
        this.server.off('listening', listening)
        reject(
          new StewardError('API_LISTEN_FAILED', `The HTTP API cannot listen on ${listen}:${port}: ${describeError(error)}`, {
            cause: error,
            data: {listen, port, errno: error.code ?? null},
            suggestions:
              error.code === 'EADDRINUSE'
                ? [`Another process uses port ${port}: stop it, or set ${this.name}_listen_port to another port (0 picks a free one).`]
                : [`Check ${this.name}_listen (an address of this machine) and ${this.name}_listen_port (ports below 1024 need privileges).`],
          }),
        )
      }
      const listening = (): void => {
        this.server.off('error', failed)
        resolve(this.server.address() as AddressInfo)
      }
      this.server.once('error', failed)
      this.server.once('listening', listening)
      this.server.listen({host: listen, port})
    })
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const id = requestIdOf(request)
    const stopping = this.lifecycle === 'stopping'
    const connection = this.connections.get(request.socket)
    if (isHealthProbe(request)) {
      // The service's own liveness, answered before the pipeline: no token, no plugin code, no
      // framework, so a supervisor's probe never depends on what the pipeline holds (docs/api.md).
      // Answered at once, so the connection has no request in progress after it.
      if (connection !== undefined) connection.requests++
      if (stopping) response.writeHead(503, {'content-type': JSON_TYPE, 'content-length': this.stoppingLength, [REQUEST_ID_HEADER]: id, connection: 'close'}).end(this.stoppingBody)
      else response.writeHead(200, {'content-type': JSON_TYPE, 'content-length': this.healthLength, [REQUEST_ID_HEADER]: id}).end(this.healthBody)
      return
    }
    if (connection !== undefined) {
      connection.requests++
      connection.active++
      response.once('close', () => connection.active--)
    }
    const app = this.app
    if (app === undefined) {
      response.writeHead(503, {'content-type': JSON_TYPE, [REQUEST_ID_HEADER]: id, connection: 'close'})
      response.end(JSON.stringify({code: 'NO_SERVICE_AVAILABLE', message: 'The API is not serving.'}))
      return
    }
    ;(request as IncomingMessage & {[requestIdKey]?: string})[requestIdKey] = id
    response.setHeader(REQUEST_ID_HEADER, id)
    // While stopping, a request that came on an open connection is answered, and the connection closed after.
    if (stopping) response.setHeader('connection', 'close')
    app.routing(request, response)
  }

  /**
   * Stop listening; graceful lets requests in flight finish (up to graceful_shutdown_timeout, 0:
   * no limit) and closes idle connections, otherwise every connection is closed at once. The
   * endpoint is taken out of the host record. Calling it twice returns the same promise.
   */
  stop({graceful = true}: {graceful?: boolean} = {}): Promise<void> {
    if (this.lifecycle === 'created' || this.lifecycle === 'stopped') return Promise.resolve()
    this.stopping ??= this.stopInOrder(graceful)
    return this.stopping
  }

  private async stopInOrder(graceful: boolean): Promise<void> {
    this.lifecycle = 'stopping'
    // No new connections from here. net.Server's close, not http's: http's also closes every idle
    // connection at once, among them one accepted a moment ago whose first request is still on its
    // way (with workers sharing a port, a reload's retiring worker gets such connections until the
    // primary learns it stopped accepting): closeIdle() gives those FIRST_REQUEST_GRACE_MS.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(this.server, () => resolve()))
    if (graceful) {
      const timeoutSeconds = this.config.options.graceful_shutdown_timeout
      const finished = await drained(() => this.closeIdle(), closed, timeoutSeconds === 0 ? undefined : Date.now() + timeoutSeconds * 1000)
      if (!finished) this.log.warn(`stopped before every API request in flight was answered: graceful_shutdown_timeout (${timeoutSeconds} s) passed`)
    }
    this.server.closeAllConnections()
    await closed
    await this.app?.close()
    this.app = undefined
    if (this.options.hostRecord !== undefined && this.endpointRecord !== undefined) {
      await forgetApiEndpoint(this.options.store, this.options.hostRecord, this.name, this.log)
    }
    this.lifecycle = 'stopped'
    this.log.info('API stopped')
    this.markStopped()
  }

  /** Close the connections that are idle: their last request answered, or none sent within FIRST_REQUEST_GRACE_MS. */
  private closeIdle(): void {
    const now = Date.now()
    for (const [socket, {since, requests, active}] of this.connections) {
      if (active > 0 || (requests === 0 && now - since < FIRST_REQUEST_GRACE_MS)) continue
      socket.destroy()
    }
  }

  private async abortStart(): Promise<void> {
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()))
    await this.app?.close()
    this.app = undefined
    this.lifecycle = 'stopped'
    this.markStopped()
  }

  /** Resolves once the service has stopped. */
  wait(): Promise<void> {
    return this.stoppedSignal
  }

  /**
   * Reset (Manila's WSGIService.reset), with the configuration given or the current one. Running:
   * build a new application (token file, pipeline and plugin routes read anew) and swap it in;
   * requests in flight finish in the old one, which is closed after them. A reset that fails
   * leaves the old application serving and rejects. A change of address or port takes effect at
   * the next start. Stopped: make the service startable again.
   */
  async reset({config = this.config, routes = this.routes}: {config?: StewardConfig; routes?: RouteSource} = {}): Promise<void> {
    const settings = apiSettings(config.options, this.name)
    const next: Adopted = {config, routes, settings, token: readApiToken(settings)}
    if (this.lifecycle === 'stopped') {
      this.adopt(next)
      this.lifecycle = 'created'
      this.stopping = undefined
      this.endpointRecord = undefined
      this.renewStoppedSignal()
      return
    }
    if (this.lifecycle !== 'running') throw new StewardError('API_LISTEN_FAILED', `The API cannot be reset while ${this.lifecycle}.`)
    const previous: Adopted = {config: this.config, routes: this.routes, settings: this.settings, token: this.token}
    this.adopt(next)
    let app: FastifyInstance
    try {
      app = (await this.buildApp()).app
    } catch (error) {
      this.adopt(previous)
      throw error
    }
    if (settings.listen !== previous.settings.listen || settings.port !== previous.settings.port) {
      this.log.warn(`${this.name} keeps listening on ${this.endpointRecord?.url}: a new ${this.name}_listen or ${this.name}_listen_port takes effect at the next start`)
    }
    // Requests in flight finish in the old application: it holds no socket, so nothing needs
    // closing, and it is collected once they are answered.
    this.app = app
    this.log.info('API reset: a new application serves', {pipeline: settings.pipeline, token: next.token !== undefined})
  }

  private adopt({config, routes, settings, token}: Adopted): void {
    this.config = config
    this.routes = routes
    this.settings = settings
    this.token = token
  }

  private renewStoppedSignal(): void {
    this.stoppedSignal = new Promise((resolve) => {
      this.markStopped = resolve
    })
  }
}

/** How long a graceful stop waits for a connection accepted before it to send its first request. */
const FIRST_REQUEST_GRACE_MS = 1000

/**
 * Resolves true once every connection of a closing server has ended, or false at the deadline
 * (epoch ms; undefined: none). A connection whose request is being answered is left alone; once
 * answered it is idle, and the next round closes it.
 */
async function drained(closeIdle: () => void, closed: Promise<void>, deadline: number | undefined): Promise<boolean> {
  let done = false
  void closed.then(() => (done = true))
  while (!done) {
    if (deadline !== undefined && Date.now() >= deadline) return false
    closeIdle()
    await Promise.race([closed, delay(DRAIN_POLL_MS)])
  }
  return true
}

/** A request that is not HTTP at all (a bad request line, headers too large): an error as JSON, then the connection closes. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const [status, reason] =
    error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout'] : [400, 'Bad Request']
  const body = JSON.stringify({code: 'API_REQUEST_INVALID', message: `The request is not valid HTTP (${error.code ?? describeError(error)}).`})
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
}
