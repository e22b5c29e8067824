import type {FastifyInstance} from 'fastify'
import {StewardError, isStewardError} from '../errors/index.js'
import type {LogLevel} from '../config/options.js'
import type {Logger} from '../log/logger.js'
import type {RpcClient} from '../rpc/context.js'
import {apiRequestContext} from './trace-requests.js'
import {MAX_REASON_LENGTH, disableService, enableService} from '../service/service-admin.js'
import {viewHost, viewService} from '../service/service-state.js'
import type {StateStore} from '../store/types.js'
import {FreshRead} from './fresh-read.js'

/** What steward's own routes work with: the host's store and RPC client. */
export interface ApiDeps {
  /** The name of the host serving the API. */
  host: string
  store: StateStore
  rpc: RpcClient
  log: Logger
  /** log_level: what the request log would show. */
  logLevel: LogLevel
  /** service_down_time, for the state of services and hosts. */
  downTimeSeconds: number
  /** rpc_response_timeout: how long an RPC call waits when the request names no timeout. */
  rpcTimeoutSeconds: number
}

/** A name given in a query or body: non-empty, no longer than a name needs to be. */
const name = {type: 'string', minLength: 1, maxLength: 255} as const

const servicesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host: name,
    binary: name,
    topic: name,
    state: {type: 'string', enum: ['up', 'down', 'stopped']},
    status: {type: 'string', enum: ['enabled', 'disabled']},
  },
} as const

const enableBody = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'binary'],
  properties: {host: name, binary: name},
} as const

const disableBody = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'binary'],
  // The length of the stripped reason is checked as the CLI checks it (SERVICE_REASON_INVALID).
  properties: {host: name, binary: name, reason: {type: 'string', maxLength: MAX_REASON_LENGTH * 4}},
} as const

const rpcBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    args: {type: 'object'},
    server: name,
    version: {type: 'string', pattern: '^\\d+\\.\\d+$'},
    timeout: {type: 'number', exclusiveMinimum: 0, maximum: 3600},
  },
} as const

const rpcParams = {
  type: 'object',
  properties: {topic: {type: 'string', minLength: 1, maxLength: 255}, method: {type: 'string', minLength: 1, maxLength: 255}},
} as const

interface ServicesQuery {
  host?: string
  binary?: string
  topic?: string
  state?: 'up' | 'down' | 'stopped'
  status?: 'enabled' | 'disabled'
}

interface RpcBody {
  args?: Record<string, unknown>
  server?: string
  version?: string
  timeout?: number
}

/**
 * steward's own routes (docs/api.md): the services table as `steward services list` shows it,
 * enabling and disabling services, the hosts, and RPC calls through the host's client. (/healthz
 * is the API service's own, answered before the pipeline.)
 */
export function registerCoreRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const {store, rpc, downTimeSeconds} = deps
  // Listings under load share reads of the store (fresh-read.ts); filters apply in memory.
  const services = new FreshRead(() => store.listServices())
  const hosts = new FreshRead(() => store.listHosts())

  app.get<{Querystring: ServicesQuery}>('/v1/services', {schema: {querystring: servicesQuery}}, async (request) => {
    const {host, binary, topic, state, status} = request.query
    const now = new Date()
    const listed = (await services.get())
      .filter((record) => (host === undefined || record.host === host) && (binary === undefined || record.binary === binary) && (topic === undefined || record.topic === topic))
      .map((record) => viewService(record, now, downTimeSeconds))
      .filter((service) => (state === undefined || service.state === state) && (status === undefined || service.status === status))
    return {services: listed}
  })

  app.put<{Body: {host: string; binary: string}}>('/v1/services/enable', {schema: {body: enableBody}}, async (request) => {
    const {host, binary} = request.body
    const record = await withoutStorePath(() => enableService(store, host, binary), host, binary)
    return {service: viewService(record, new Date(), downTimeSeconds)}
  })

  app.put<{Body: {host: string; binary: string; reason?: string}}>('/v1/services/disable', {schema: {body: disableBody}}, async (request) => {
    const {host, binary, reason} = request.body
    const record = await withoutStorePath(() => disableService(store, host, binary, reason), host, binary)
    return {service: viewService(record, new Date(), downTimeSeconds)}
  })

  app.get('/v1/hosts', async () => {
    const now = new Date()
    return {hosts: (await hosts.get()).map((host) => viewHost(host, now, downTimeSeconds))}
  })

  app.post<{Params: {topic: string; method: string}; Body: RpcBody}>(
    '/v1/rpc/:topic/:method',
    {
      schema: {params: rpcParams, body: rpcBody},
      // No body means no arguments, as `steward call topic method` without ARGS_JSON.
      preValidation: (request, _reply, done) => {
        request.body ??= {}
        done()
      },
    },
    async (request) => {
      const {topic, method} = request.params
      const {args = {}, server, version, timeout} = request.body
      const prepared = rpc.prepare({topic, ...(server === undefined ? {} : {server}), ...(version === undefined ? {} : {version}), ...(timeout === undefined ? {} : {timeout})})
      // The request id goes along, so the callee's logs name the HTTP request that caused the call.
      const call = prepared.call(apiRequestContext(request, `api@${deps.host}`), method, args)
      const result = await within(call, timeout ?? deps.rpcTimeoutSeconds, `${topic}.${method}`, request.id)
      return {result: result ?? null}
    },
  )
}

/**
 * The call's answer, or MESSAGING_TIMEOUT once its timeout has passed. A call to a service of this
 * host skips the sockets and has no timeout of its own (docs/rpc.md); an HTTP client still gets its
 * answer in time.
 */
function within(call: Promise<unknown>, seconds: number, what: string, requestId: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new StewardError('MESSAGING_TIMEOUT', `Timed out after ${seconds} s waiting for a reply to ${what} (request ID ${requestId}).`, {data: {method: what, requestId, timeout: seconds}, retryable: true}))
    }, seconds * 1000)
  })
  return Promise.race([call, timedOut]).finally(() => clearTimeout(timer))
}

/** The store's path stays out of answers sent over HTTP. */
async function withoutStorePath<T>(change: () => Promise<T>, host: string, binary: string): Promise<T> {
  try {
    return await change()
  } catch (error) {
    if (isStewardError(error, 'SERVICE_NOT_FOUND')) throw new StewardError('SERVICE_NOT_FOUND', `No service ${binary} on host ${host}.`, {data: {host, binary}, cause: error})
    throw error
  }
}
