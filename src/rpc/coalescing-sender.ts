import {StewardError} from '../errors/index.js'
import {encode, MAX_BATCH, type Message} from './protocol.js'
import {toWireError} from './wire-errors.js'

/** What a ZeroMQ socket offers for sending; one send may be in progress at a time. */
export interface FrameSink {
  send(frames: Array<Buffer | string>): Promise<void>
}

/**
 * Sends the messages of one socket, coalesced: everything queued for a peer before the next turn
 * of the event loop goes out as one multipart message (up to MAX_BATCH). zeromq.js allows one
 * send in progress per socket, so sends are also serialised here.
 */
export class CoalescingSender {
  /** Queued messages per peer (the ROUTER routing id, or '' on a DEALER). */
  private readonly queues = new Map<string, {peer: Buffer | undefined; messages: Message[]}>()
  private scheduled = false
  private sending = false
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
    if (!this.scheduled && !this.sending) {
      this.scheduled = true
      setImmediate(() => void this.flush())
    }
  }

  /** Resolves once everything queued so far has been handed to the socket. */
  idle(): Promise<void> {
    if (!this.scheduled && !this.sending && this.queues.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private async flush(): Promise<void> {
    this.scheduled = false
    this.sending = true
    try {
      while (this.queues.size > 0) {
        const [key, queue] = this.queues.entries().next().value as [string, {peer: Buffer | undefined; messages: Message[]}]
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
      for (const resolve of this.idleWaiters.splice(0)) resolve()
    }
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
