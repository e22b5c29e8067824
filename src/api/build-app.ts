import {timingSafeEqual} from 'node:crypto'
import type {IncomingHttpHeaders, IncomingMessage} from 'node:http'
import Fastify, {type FastifyInstance} from 'fastify'
import {StewardError, describeError, isStewardError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'
import {digestOf, type ApiToken} from './api-settings.js'
import {errorAnswer, isServerFault} from './error-response.js'
import {mountPipeline, type PipelineElement} from './pipeline.js'
import {activeTracing} from '../profiler/tracing.js'
import {traceRequests} from './trace-requests.js'

/** The request id the API service gave a request before fastify saw it. */
export const requestIdKey = Symbol('steward.requestId')

type TaggedRequest = IncomingMessage & {[requestIdKey]?: string}

export interface AppOptions {
  elements: readonly PipelineElement[]
  token: ApiToken | undefined
  maxBodySize: number
  log: Logger
}

/**
 * One fastify application: JSON only, the body limit, the token check before everything (every
 * route needs it; /healthz never reaches the application), errors as `{code, message}`, then the
 * pipeline. It never listens itself: the API service owns the socket and hands requests to the
 * application that serves now, so a reset can swap in a new one without closing the port.
 */
export async function buildApp({elements, token, maxBodySize, log}: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: maxBodySize,
    // The service sets the id (and its response header) before handing the request over.
    genReqId: (request) => (request as TaggedRequest)[requestIdKey] ?? 'unknown',
    requestIdHeader: false,
    return503OnClosing: true,
    ajv: {
      // A wrong type is the client's mistake (400), not something to coerce; an unknown field or
      // query parameter is refused rather than dropped, so a typo does not widen a listing.
      customOptions: {coerceTypes: false, removeAdditional: false, allErrors: false},
    },
  })
  // JSON only: every other type, text/plain included, gets 415.
  app.removeContentTypeParser('text/plain')
  if (activeTracing !== undefined) traceRequests(app, activeTracing)

  if (token !== undefined) {
    app.addHook('onRequest', (request, _reply, done) => {
      const presented = presentedToken(request.headers)
      if (presented !== undefined && timingSafeEqual(digestOf(presented), token.digest)) {
        done()
        return
      }
      log.warn(`API request refused: ${presented === undefined ? 'no token' : 'wrong token'}`, {requestId: request.id, method: request.method, url: request.url, from: request.ip})
      done(
        new StewardError('API_UNAUTHORIZED', presented === undefined ? 'This API requires a token: send "Authorization: Bearer <token>".' : 'The token is not this API\'s.', {
          suggestions: ['The token is in the file api_token_file names on the host.'],
        }),
      )
    })
  }

  app.setErrorHandler((error, request, reply) => {
    const answer = errorAnswer(error)
    const fields = {requestId: request.id, method: request.method, url: request.url, status: answer.status, code: answer.body.code}
    if (isServerFault(answer)) log.error(`API request failed: ${describeError(error)}`, {...fields, error, ...(isStewardError(error) ? {} : {stack: (error as Error).stack})})
    else if (answer.status >= 500) log.warn(`API request failed: ${answer.body.message}`, fields)
    if (answer.status === 401) void reply.header('www-authenticate', 'Bearer')
    void reply.code(answer.status).type('application/json; charset=utf-8').send(answer.body)
  })

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0]
    void reply.code(404).send({code: 'API_NOT_FOUND', message: `No route ${request.method} ${path}; docs/api.md lists the routes.`})
  })

  mountPipeline(app, elements)
  try {
    await app.ready()
  } catch (error) {
    // Two route sets that answer the same method and path.
    throw new StewardError('API_PIPELINE_INVALID', `The API's routes cannot be assembled: ${describeError(error)}`, {
      cause: error,
      suggestions: ['Give the plugin route sets prefixes that do not collide (docs/api.md, "The pipeline").'],
    })
  }
  return app
}

/** `Authorization: Bearer <token>`, or OpenStack's `X-Auth-Token: <token>`. */
function presentedToken(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
    return match?.[1]
  }
  const token = headers['x-auth-token']
  return typeof token === 'string' && token !== '' ? token : undefined
}
