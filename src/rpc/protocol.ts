import type {RequestContext} from './context.js'
import {isVersion} from './version.js'
import {isWireError, type WireError} from './wire-errors.js'

/**
 * The steward wire protocol, version 1 (docs/protocol.md is the reference). A ZeroMQ multipart
 * message is a signature frame followed by one or more messages of four frames each:
 *
 *   signature  4 bytes: "STW" and the protocol version (0x01)
 *   type       1 byte (see MessageType)
 *   id         1–64 bytes of ASCII: the correlation id, chosen by the caller, echoed in the reply
 *   header     a JSON object
 *   body       a JSON value
 *
 * Several messages share one multipart message when they are sent in the same tick: that is how
 * steward coalesces sends.
 */
export const PROTOCOL_VERSION = 1
export const SIGNATURE = Buffer.from([0x53, 0x54, 0x57, PROTOCOL_VERSION])
export const FRAMES_PER_MESSAGE = 4
/** The most messages one multipart message may carry. */
export const MAX_BATCH = 1024
export const MAX_ID_BYTES = 64
export const MAX_NAME_LENGTH = 255

export const MessageType = {call: 0x01, cast: 0x02, reply: 0x03, error: 0x04, ping: 0x05, pong: 0x06} as const
export type MessageTypeName = keyof typeof MessageType
const typeNames = new Map<number, MessageTypeName>(Object.entries(MessageType).map(([name, code]) => [code, name as MessageTypeName]))
const typeFrames = Object.fromEntries(Object.entries(MessageType).map(([name, code]) => [name, Buffer.from([code])])) as Record<MessageTypeName, Buffer>

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

/** Encode messages as the frames of one multipart message. */
export function encode(messages: readonly Message[]): Array<Buffer | string> {
  const frames: Array<Buffer | string> = [SIGNATURE]
  for (const message of messages) {
    frames.push(typeFrames[message.type], message.id, JSON.stringify(message.header), JSON.stringify(message.body ?? null))
  }
  return frames
}

/**
 * Decode the frames of one multipart message (without the ROUTER's routing id). Never throws:
 * what cannot be read becomes a fault.
 */
export function decode(frames: readonly Buffer[]): Decoded {
  const signature = frames[0]
  if (signature === undefined || signature.length !== SIGNATURE.length || signature.compare(SIGNATURE, 0, 3, 0, 3) !== 0) {
    return faultOnly(undefined, 'PROTOCOL_ERROR', 'the first frame is not a steward signature ("STW" and a version byte)')
  }
  if (signature[3] !== PROTOCOL_VERSION) {
    return faultOnly(readId(frames[2]), 'PROTOCOL_VERSION_UNSUPPORTED', `protocol version ${signature[3]} is not spoken here; this host speaks ${PROTOCOL_VERSION}`)
  }
  const count = (frames.length - 1) / FRAMES_PER_MESSAGE
  if (!Number.isInteger(count) || count < 1) {
    return faultOnly(readId(frames[2]), 'PROTOCOL_ERROR', `${frames.length} frames: expected a signature and groups of ${FRAMES_PER_MESSAGE} (type, id, header, body)`)
  }
  if (count > MAX_BATCH) return faultOnly(readId(frames[2]), 'PROTOCOL_ERROR', `${count} messages in one send; at most ${MAX_BATCH}`)

  const decoded: Decoded = {messages: [], faults: []}
  for (let index = 1; index < frames.length; index += FRAMES_PER_MESSAGE) {
    const result = decodeMessage(frames[index]!, frames[index + 1]!, frames[index + 2]!, frames[index + 3]!)
    if ('code' in result) decoded.faults.push(result)
    else decoded.messages.push(result)
  }
  return decoded
}

function decodeMessage(typeFrame: Buffer, idFrame: Buffer, headerFrame: Buffer, bodyFrame: Buffer): Message | Fault {
  const id = readId(idFrame)
  const fault = (message: string): Fault => ({id, code: 'PROTOCOL_ERROR', message})
  if (id === undefined) return fault(`the id must be 1 to ${MAX_ID_BYTES} bytes of printable ASCII`)
  const type = typeFrame.length === 1 ? typeNames.get(typeFrame[0]!) : undefined
  if (type === undefined) return fault('unknown message type')
  const header = parseJson(headerFrame)
  if (!isRecord(header)) return fault('the header is not a JSON object')
  const body = parseJson(bodyFrame)
  if (body === INVALID) return fault('the body is not JSON')

  switch (type) {
    case 'call':
    case 'cast': {
      const problem = requestHeaderProblem(header)
      if (problem !== undefined) return fault(`invalid ${type} header: ${problem}`)
      if (!isRecord(body)) return fault(`the body of a ${type} must be a JSON object of arguments`)
      return {type, id, header: header as unknown as RequestHeader, body}
    }
    case 'reply': {
      return {type, id, header: {}, body}
    }
    case 'error': {
      if (!isWireError(body)) return fault('the body of an error must be {name, code, message, data, retryable}')
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

function readId(frame: Buffer | undefined): string | undefined {
  if (frame === undefined || frame.length === 0 || frame.length > MAX_ID_BYTES) return undefined
  for (const byte of frame) if (byte < 0x21 || byte > 0x7e) return undefined
  return frame.toString('latin1')
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
