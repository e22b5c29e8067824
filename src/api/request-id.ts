import {randomBytes} from 'node:crypto'
import type {IncomingMessage} from 'node:http'

export const REQUEST_ID_HEADER = 'x-request-id'

// A random prefix per process and a counter, as RPC request ids are made (rpc/context.ts): unique
// for this use at a fraction of randomUUID's cost per request.
const prefix = `api-${randomBytes(6).toString('hex')}-`
let counter = 0

/** A client's id is kept when it is short and plain, so it can be followed through logs; else a new one. */
const SANE_ID = /^[\w.:@-]{1,128}$/

export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER]
  if (typeof given === 'string' && SANE_ID.test(given)) return given
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER
  return prefix + counter.toString(36)
}
