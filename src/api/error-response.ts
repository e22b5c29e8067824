import {describeError, isStewardError, type ErrorCode} from '../errors/index.js'
import {RemoteError} from '../rpc/wire-errors.js'
import {isHttpError} from './http-error.js'

/** What the API answers for an error: a status and `{code, message}`. */
export interface ErrorAnswer {
  status: number
  body: {code: string; message: string}
}

/**
 * The HTTP status of each steward code an API request can meet. A code not listed is a fault of
 * the server's (500). The client's mistakes are 4xx; a service that cannot answer now is 503 or
 * 504; a remote service that failed is 502.
 */
const statusOfCode: Partial<Record<ErrorCode, number>> = {
  API_REQUEST_INVALID: 400,
  API_UNAUTHORIZED: 401,
  API_NOT_FOUND: 404,
  API_BODY_TOO_LARGE: 413,
  API_UNSUPPORTED_MEDIA_TYPE: 415,
  API_INTERNAL_ERROR: 500,
  SERVICE_REASON_INVALID: 400,
  INVALID_TARGET: 400,
  TOPIC_NOT_CONFIGURED: 400,
  SERVICE_NOT_FOUND: 404,
  NO_SUCH_METHOD: 404,
  MANAGER_NOT_FOUND: 404,
  DRIVER_NOT_FOUND: 404,
  SERVICE_ALREADY_RUNNING: 409,
  UNSUPPORTED_VERSION: 409,
  RPC_VERSION_CAP: 409,
  LOCK_ACQUIRE_FAILED: 409,
  MESSAGE_TOO_LARGE: 413,
  REMOTE_ERROR: 502,
  GENERATION_CRASHED: 502,
  HOST_START_FAILED: 502,
  PROTOCOL_ERROR: 502,
  PROTOCOL_VERSION_UNSUPPORTED: 502,
  NO_SERVICE_AVAILABLE: 503,
  GENERATION_UNRESPONSIVE: 503,
  GENERATION_FAILED: 503,
  RPC_ENDPOINT_FAILED: 503,
  STORE_NOT_FOUND: 503,
  STORE_UNAVAILABLE: 503,
  STORE_LOCK_TIMEOUT: 503,
  MESSAGING_TIMEOUT: 504,
}

/** The API's codes for the statuses the HTTP framework answers by itself. */
const codeOfStatus: Record<number, ErrorCode> = {
  400: 'API_REQUEST_INVALID',
  401: 'API_UNAUTHORIZED',
  404: 'API_NOT_FOUND',
  413: 'API_BODY_TOO_LARGE',
  415: 'API_UNSUPPORTED_MEDIA_TYPE',
}

/** The status of a steward error code (500 for a code that is no client's mistake nor an outage). */
export function statusOf(code: ErrorCode): number {
  return statusOfCode[code] ?? 500
}

/**
 * The answer to anything a route, a hook or the framework threw. Never leaks a stack; a 500's
 * message is generic and the cause goes to the log (see {@link isServerFault}).
 */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (isStewardError(error)) return {status: statusOf(error.code), body: {code: error.code, message: error.message}}
  if (isHttpError(error)) return {status: error.status, body: {code: error.code, message: error.message}}
  // A plugin's own error from the service called: its code and message, as `steward call` shows them.
  if (error instanceof RemoteError) return {status: 502, body: {code: error.code, message: error.message}}
  const status = frameworkStatus(error)
  if (status !== undefined && status >= 400 && status < 500) {
    return {status, body: {code: codeOfStatus[status] ?? 'API_REQUEST_INVALID', message: frameworkMessage(error, status)}}
  }
  return {status: 500, body: {code: 'API_INTERNAL_ERROR', message: 'The API failed to answer this request; the host\'s log has the cause under the request id.'}}
}

/** Whether an answer is the server's fault, to be logged as an error with its cause. */
export function isServerFault(answer: ErrorAnswer): boolean {
  return answer.status >= 500 && answer.status !== 502 && answer.status !== 503 && answer.status !== 504
}

/** The status fastify gives its own errors (a bad body, a schema failure, a too large body…). */
function frameworkStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const status = (error as {statusCode?: unknown}).statusCode
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined
}

function frameworkMessage(error: unknown, status: number): string {
  const message = describeError(error)
  switch (status) {
    case 413: {
      return 'The request body is larger than this API accepts (api_max_body_size).'
    }
    case 415: {
      return 'The request body must be JSON, sent with "Content-Type: application/json".'
    }
    default: {
      // Schema failures read "body/timeout must be number": name the part that is wrong.
      return (error as {validation?: unknown}).validation === undefined ? message : `Invalid request: ${message}.`
    }
  }
}
