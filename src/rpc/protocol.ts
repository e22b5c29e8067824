import type {RequestContext} from './context.js'
import {isVersion} from './version.js'
import {isWireError, type WireError} from './wire-errors.js'

/**
 * The steward wire protocol, version 1 (docs/protocol.md is the reference). A ZeroMQ multipart
 * message has exactly two frames:
 *
 *   signature  4 bytes: "STW" and the protocol version (0x01)
 *   batch      UTF-8 JSON: an array of one or more messages, each [type, id, header, body]
 *                type    an integer (see MessageType)
 *                id      1–64 printable ASCII characters: the correlation id, chosen by the
 *                        caller and echoed in the reply
 *                header  an object
 *                body    any JSON value
 *
 * Why one frame for the whole batch: ZeroMQ's cost is per frame (about 1.7 µs each to send
 * through zeromq.js here), so a batch of 100 messages as 400 frames sent 137k messages/s while
 * the same batch as one frame sent 1.37M/s. Messages queued together share a batch
 * (coalescing-sender.ts).
 */
export const PROTOCOL_VERSION = 1
export const SIGNATURE = Buffer.from([0x53, 0x54, 0x57, PROTOCOL_VERSION])
export const FRAME_COUNT = 2
/** The most messages one batch may carry. */
export const MAX_BATCH = 1024
export const MAX_ID_BYTES = 64
export const MAX_NAME_LENGTH = 255

export const MessageType = {call: 1, cast: 2, reply: 3, error: 4, ping: 5, pong: 6} as const
export type MessageTypeName = keyof typeof MessageType
/** The name of each type code, by code: an array lookup, on the path of every message. */
const typeNames: ReadonlyArray<MessageTypeName | undefined> = Object.entries(MessageType).reduce<Array<MessageTypeName | undefined>>((names, [name, code]) => {
  names[code] = name as MessageTypeName
  return names
}, [])

/** The header of a call or cast. */
export interface RequestHeader {
  topic: string
  method: string
  /** The service host to reach (`topic.server`); absent to reach any service of the topic on this host. */
  server?: string
  /** The RPC API version the caller needs, `major.minor`. */
  version?: string
  ctx: RequestContext
}

export type Message =
  | {type: 'call' | 'cast'; id: string; header: RequestHeader; body: Record<string, unknown>}
  | {type: 'reply'; id: string; header: Record<string, never>; body: unknown}
  | {type: 'error'; id: string; header: Record<string, never>; body: WireError}
  | {type: 'ping' | 'pong'; id: string; header: Record<string, unknown>; body: null}

/** A message that could not be read, with the id to answer when it was readable. */
export interface Fault {
  id: string | undefined
  code: 'PROTOCOL_ERROR' | 'PROTOCOL_VERSION_UNSUPPORTED'
  message: string
}

export interface Decoded {
  messages: Message[]
  faults: Fault[]
}

/** Encode messages as the two frames of one multipart message. */
export function encode(messages: readonly Message[]): [Buffer, Buffer] {
  const batch = messages.map((message) => [MessageType[message.type], message.id, message.header, message.body ?? null])
  // A Buffer, not a string: zeromq.js sends a large Buffer without copying it again, while a
  // string is converted to UTF-8 in two passes on the way in.
  return [SIGNATURE, Buffer.from(JSON.stringify(batch))]
}

/**
 * Decode the frames of one multipart message, from `first` on (1 on a ROUTER, past the routing
 * id). Never throws: what cannot be read becomes a fault, with the id to answer when the id was
 * readable.
 */
export function decode(frames: readonly Buffer[], first = 0): Decoded {
  const count = frames.length - first
  const signature = frames[first]
  if (signature === undefined || signature.length !== SIGNATURE.length || signature.compare(SIGNATURE, 0, 3, 0, 3) !== 0) {
    return faultOnly(undefined, 'PROTOCOL_ERROR', 'the first frame is not a steward signature ("STW" and a version byte)')
  }
  const batch = count === FRAME_COUNT ? parseJson(frames[first + 1]!) : INVALID
  const firstId = Array.isArray(batch) && Array.isArray(batch[0]) ? readId(batch[0][1]) : undefined
  if (signature[3] !== PROTOCOL_VERSION) {
    return faultOnly(firstId, 'PROTOCOL_VERSION_UNSUPPORTED', `protocol version ${signature[3]} is not spoken here; this host speaks ${PROTOCOL_VERSION}`)
  }
  if (count !== FRAME_COUNT) return faultOnly(undefined, 'PROTOCOL_ERROR', `${count} frames: expected ${FRAME_COUNT} (signature, batch)`)
  if (!Array.isArray(batch) || batch.length === 0) return faultOnly(undefined, 'PROTOCOL_ERROR', 'the batch frame is not a non-empty JSON array')
  if (batch.length > MAX_BATCH) return faultOnly(firstId, 'PROTOCOL_ERROR', `${batch.length} messages in one batch; at most ${MAX_BATCH}`)

  const decoded: Decoded = {messages: [], faults: []}
  for (const element of batch) {
    const result = decodeMessage(element)
    if ('code' in result) decoded.faults.push(result)
    else decoded.messages.push(result)
  }
  return decoded
}

function decodeMessage(element: unknown): Message | Fault {
  const fields = Array.isArray(element) ? element : []
  const id = readId(fields[1])
  const decoded = readMessage(fields, id)
  return typeof decoded === 'string' ? {id, code: 'PROTOCOL_ERROR', message: decoded} : decoded
}

/** The message, or what is wrong with it. */
function readMessage(fields: unknown[], id: string | undefined): Message | string {
  if (fields.length !== 4) return 'a message must be [type, id, header, body]'
  if (id === undefined) return `the id must be 1 to ${MAX_ID_BYTES} printable ASCII characters`
  const type = typeof fields[0] === 'number' ? typeNames[fields[0]] : undefined
  if (type === undefined) return 'unknown message type'
  const header: unknown = fields[2]
  if (!isRecord(header)) return 'the header is not a JSON object'
  const body: unknown = fields[3]

  switch (type) {
    case 'call':
    case 'cast': {
      const problem = requestHeaderProblem(header)
      if (problem !== undefined) return `invalid ${type} header: ${problem}`
      if (!isRecord(body)) return `the body of a ${type} must be a JSON object of arguments`
      return {type, id, header: header as unknown as RequestHeader, body}
    }
    case 'reply': {
      return {type, id, header: {}, body}
    }
    case 'error': {
      if (!isWireError(body)) return 'the body of an error must be {name, code, message, data, retryable}'
      return {type, id, header: {}, body}
    }
    case 'ping':
    case 'pong': {
      return {type, id, header, body: null}
    }
  }
}

function requestHeaderProblem(header: Record<string, unknown>): string | undefined {
  if (!isName(header.topic)) return 'topic must be a non-empty string'
  if (!isName(header.method)) return 'method must be a non-empty string'
  if (header.method.startsWith('_')) return `method "${header.method}" is private`
  if (header.server !== undefined && !isName(header.server)) return 'server must be a non-empty string'
  if (header.version !== undefined && !isVersion(header.version)) return 'version must be "major.minor"'
  const ctx = header.ctx
  if (!isRecord(ctx)) return 'ctx must be an object'
  if (typeof ctx.requestId !== 'string' || typeof ctx.caller !== 'string') return 'ctx needs requestId and caller strings'
  if (ctx.deadline !== undefined && typeof ctx.deadline !== 'number') return 'ctx.deadline must be a number'
  if (ctx.traceParent !== undefined && typeof ctx.traceParent !== 'string') return 'ctx.traceParent must be a string'
  return undefined
}

const INVALID = Symbol('invalid JSON')

function parseJson(frame: Buffer): unknown {
  try {
    return JSON.parse(frame.toString('utf8')) as unknown
  } catch {
    return INVALID
  }
}

const PRINTABLE_ID = new RegExp(`^[\\x21-\\x7e]{1,${MAX_ID_BYTES}}$`)

function readId(value: unknown): string | undefined {
  return typeof value === 'string' && PRINTABLE_ID.test(value) ? value : undefined
}

function faultOnly(id: string | undefined, code: Fault['code'], message: string): Decoded {
  return {messages: [], faults: [{id, code, message}]}
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME_LENGTH
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
