import {Dealer} from 'zeromq'
import {StewardError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'
import {CoalescingSender} from './coalescing-sender.js'
import {decode, type RequestHeader} from './protocol.js'
import {fromWireError} from './wire-errors.js'

/** CURVE keys of a client: its own pair and the server's public key (Z85 text). */
export interface ClientCurve {
  serverKey: string
  publicKey: string
  secretKey: string
}

interface Pending {
  resolve: (result: unknown) => void
  reject: (error: unknown) => void
  /** performance.now() after which the call times out. */
  expiresAt: number
  timeoutMs: number
  header: RequestHeader
}

/**
 * How often outstanding calls are checked for their timeout. One sweep timer per connection costs
 * far less than a timer per call at 100k calls/s; a timeout fires up to this much late.
 */
const SWEEP_MS = 50

/**
 * One DEALER socket connected to one host's endpoint, carrying any number of outstanding calls,
 * told apart by their correlation ids.
 */
export class PeerConnection {
  private readonly dealer: Dealer
  private readonly sender: CoalescingSender
  private readonly pending = new Map<string, Pending>()
  private nextId = 0
  private closed = false
  private sweeper: NodeJS.Timeout | undefined

  constructor(
    readonly endpoint: string,
    private readonly log: Logger,
    curve?: ClientCurve,
    maxMessageSize?: number,
  ) {
    this.dealer = new Dealer({
      linger: 0,
      ...(curve === undefined ? {} : {curveServerKey: curve.serverKey, curvePublicKey: curve.publicKey, curveSecretKey: curve.secretKey}),
    })
    this.dealer.connect(endpoint)
    this.sender = new CoalescingSender(this.dealer, (error, dropped) => this.log.warn(`send to ${endpoint} failed; ${dropped} message(s) dropped`, {error}), maxMessageSize)
    void this.receive()
  }

  /** Send a call and resolve with its reply, or reject with its error or MESSAGING_TIMEOUT. */
  call(header: RequestHeader, args: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    const id = this.newId()
    return new Promise((resolve, reject) => {
      this.pending.set(id, {resolve, reject, expiresAt: performance.now() + timeoutMs, timeoutMs, header})
      this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS)
      this.sender.enqueue({type: 'call', id, header, body: args})
      // A lone call (sequential calls) goes at once; with others outstanding, calls are coalesced.
      if (this.pending.size === 1) this.sender.flushNow()
    })
  }

  /** Fail the calls whose time is up; stop sweeping when none is left. */
  private sweep(): void {
    const now = performance.now()
    for (const [id, pending] of this.pending) {
      if (pending.expiresAt > now) continue
      this.pending.delete(id)
      const {header, timeoutMs} = pending
      pending.reject(
        new StewardError('MESSAGING_TIMEOUT', `Timed out after ${timeoutMs / 1000} s waiting for a reply to ${header.topic}.${header.method} (message ID ${id}) from ${this.endpoint}.`, {
          data: {topic: header.topic, server: header.server, method: header.method, messageId: id, endpoint: this.endpoint},
          retryable: true,
        }),
      )
    }
    if (this.pending.size === 0) this.stopSweeping()
  }

  private stopSweeping(): void {
    clearInterval(this.sweeper)
    this.sweeper = undefined
  }

  /** Send a cast: at most once, no reply. */
  cast(header: RequestHeader, args: Record<string, unknown>): void {
    this.sender.enqueue({type: 'cast', id: this.newId(), header, body: args})
  }

  /**
   * Stop: what was queued is handed to ZeroMQ, which gets up to `lingerMs` to deliver it (casts
   * sent just before a CLI exits); outstanding calls fail at once.
   */
  async close(lingerMs = 0): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.sender.idle()
    this.dealer.linger = lingerMs
    this.dealer.close()
    this.stopSweeping()
    for (const [id, pending] of this.pending) {
      pending.reject(new StewardError('RPC_ENDPOINT_FAILED', `The connection to ${this.endpoint} closed before message ${id} was answered.`, {retryable: true}))
    }
    this.pending.clear()
  }

  private newId(): string {
    this.nextId = (this.nextId + 1) % Number.MAX_SAFE_INTEGER
    return this.nextId.toString(36)
  }

  private async receive(): Promise<void> {
    try {
      // receive() rather than `for await`: the socket's async iterator adds an async function
      // and two promise hops to every message, on the path of every call.
      while (!this.dealer.closed) {
        const frames = await this.dealer.receive()
        const {messages, faults} = decode(frames)
        for (const message of messages) {
          const pending = this.pending.get(message.id)
          if (pending === undefined) continue // late reply to a call that timed out
          this.pending.delete(message.id)
          if (message.type === 'error') pending.reject(fromWireError(message.body))
          else pending.resolve(message.body)
        }
        if (faults.length > 0) this.log.warn(`unreadable reply from ${this.endpoint}: ${faults[0]!.message}`, {faults: faults.length})
        // The callers resumed above run (and send their next calls) before the socket is polled
        // again: polling first put ~2 µs on the path of every sequential call.
        await undefined
      }
    } catch (error) {
      if (!this.closed) this.log.warn(`receiving from ${this.endpoint} failed`, {error})
    }
  }
}
