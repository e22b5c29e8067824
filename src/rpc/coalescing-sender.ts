import {StewardError} from '../errors/index.js'
import {encode, MAX_BATCH, type Message} from './protocol.js'
import {toWireError} from './wire-errors.js'

/** What a ZeroMQ socket offers for sending; one send may be in progress at a time. */
export interface FrameSink {
  send(frames: Array<Buffer | string>): Promise<void>
}

/**
 * A peer's queue this long is sent at once rather than at the end of the turn. With one batch per
 * turn, 100 calls in flight travelled as one batch of 100 back and forth, and each process sat idle
 * while the other worked on it; batches of 32 keep both busy (~40 % more calls/s in the RPC
 * benchmark), while a send still carries enough messages to stay cheap (16 cost more than it gained).
 */
export const EAGER_BATCH = 32

type PeerQueue = {peer: Buffer | undefined; messages: Message[]}

/**
 * Sends the messages of one socket, coalesced: what is queued for a peer goes out as one multipart
 * message when EAGER_BATCH messages are waiting, when the owner says nothing more is coming soon
 * (flushNow), and otherwise before the next turn of the event loop (up to MAX_BATCH a send).
 * zeromq.js allows one send in progress per socket, so sends are also serialised here.
 */
export class CoalescingSender {
  /** Queued messages per peer (the ROUTER routing id, or '' on a DEALER). */
  private readonly queues = new Map<string, PeerQueue>()
  private scheduled = false
  private sending = false
  /** flushNow() was called during a send: the flush under way sends everything. */
  private urgent = false
  private idleWaiters: Array<() => void> = []

  constructor(
    private readonly socket: FrameSink,
    private readonly onError: (error: unknown, dropped: number) => void,
    /**
     * The largest batch frame to send: the peer's rpc_max_message_size (assumed the same as ours),
     * over which ZeroMQ drops the whole connection and every call on it.
     */
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** Queue a message for a peer (undefined on a DEALER). */
  enqueue(message: Message, peer?: Buffer): void {
    const key = peer === undefined ? '' : peer.toString('latin1')
    let queue = this.queues.get(key)
    if (queue === undefined) {
      queue = {peer, messages: []}
      this.queues.set(key, queue)
    }
    queue.messages.push(message)
    if (this.sending) return // the flush under way sends it, or schedules it
    if (queue.messages.length >= EAGER_BATCH) void this.flush(false)
    else this.schedule()
  }

  /**
   * Send everything queued now rather than at the end of the turn: for a caller that knows nothing
   * more is coming soon (a lone call, the last answer owed), waiting for the turn to end only adds
   * latency.
   */
  flushNow(): void {
    if (this.sending) this.urgent = true
    else if (this.queues.size > 0) void this.flush(true)
  }

  /** Resolves once everything queued so far has been handed to the socket. */
  idle(): Promise<void> {
    if (!this.sending && this.queues.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(this.flushTurn)
  }

  /** The end of the turn: everything queued goes. */
  private readonly flushTurn = (): void => {
    this.scheduled = false
    if (this.sending) return // the flush under way schedules again if it leaves anything
    if (this.queues.size > 0) void this.flush(true)
    else this.wakeIdle() // flushNow sent it all already
  }

  /** Send every queue (`all`), or only those of EAGER_BATCH messages or more; the rest is scheduled. */
  private async flush(all: boolean): Promise<void> {
    this.sending = true
    try {
      for (let entry = this.nextQueue(all); entry !== undefined; entry = this.nextQueue(all)) {
        const [key, queue] = entry
        const batch = queue.messages.splice(0, MAX_BATCH)
        if (queue.messages.length === 0) this.queues.delete(key)
        try {
          for (const frames of this.encodeWithin(batch)) await this.socket.send(queue.peer === undefined ? frames : [queue.peer, ...frames])
        } catch (error) {
          this.onError(error, batch.length)
        }
      }
    } finally {
      this.sending = false
      this.urgent = false
      if (this.queues.size > 0) this.schedule()
      else this.wakeIdle()
    }
  }

  private wakeIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve()
  }

  private nextQueue(all: boolean): [string, PeerQueue] | undefined {
    for (const entry of this.queues) if (all || this.urgent || entry[1].messages.length >= EAGER_BATCH) return entry
    return undefined
  }

  /**
   * Encode a batch as frames no larger than maxBytes: an oversized batch is halved until each part
   * fits. A single message that does not fit is a reply turned into a MESSAGE_TOO_LARGE error
   * reply, or a request dropped and reported (its caller times out).
   */
  private encodeWithin(batch: Message[]): Array<ReturnType<typeof encode>> {
    const frames = this.encodeBatch(batch)
    if (frames === undefined || frames[1].length <= this.maxBytes) return frames === undefined ? [] : [frames]
    if (batch.length > 1) {
      const half = Math.ceil(batch.length / 2)
      return [...this.encodeWithin(batch.slice(0, half)), ...this.encodeWithin(batch.slice(half))]
    }
    const [message] = batch as [Message]
    const failure = new StewardError('MESSAGE_TOO_LARGE', `The ${message.type} is ${frames[1].length} bytes, over rpc_max_message_size (${this.maxBytes}).`)
    if (message.type === 'reply' || message.type === 'error') return [encode([{type: 'error', id: message.id, header: {}, body: toWireError(failure)}])]
    this.onError(failure, 1)
    return []
  }

  /**
   * Encode a batch. JSON.stringify throws on a BigInt, a cycle or a value nested deeper than the
   * stack (a method that echoes a 1 MB `{"a":{"a":…}}` argument): thrown here, that rejected the
   * flush nobody awaits and the unhandled rejection killed the host. So when the batch does not
   * encode, each message is tried alone: a reply or error that does not encode becomes an error
   * reply (the caller gets an answer, not a timeout); any other message is dropped and reported.
   */
  private encodeBatch(batch: Message[]): ReturnType<typeof encode> | undefined {
    try {
      return encode(batch)
    } catch {
      const encodable: Message[] = []
      for (const message of batch) {
        try {
          encode([message])
          encodable.push(message)
        } catch (error) {
          if (message.type === 'reply' || message.type === 'error') {
            const failure = new StewardError('REMOTE_ERROR', `The ${message.type === 'reply' ? 'result' : 'error'} could not be encoded as JSON: ${(error as Error).message}.`)
            encodable.push({type: 'error', id: message.id, header: {}, body: toWireError(failure)})
          } else {
            this.onError(error, 1)
          }
        }
      }
      return encodable.length === 0 ? undefined : encode(encodable)
    }
  }
}
