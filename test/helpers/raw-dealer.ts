import {Dealer, type EventType} from 'zeromq'
import {decode, encode, type Message} from '../../src/rpc/protocol.js'

export interface RawCurve {
  serverKey: string
  publicKey: string
  secretKey: string
}

const open = new Set<RawDealer>()

/** Close every RawDealer a test opened (use in afterEach). */
export function closeRawDealers(): void {
  for (const dealer of open) dealer.close()
}

/**
 * A bare ZeroMQ DEALER speaking the wire protocol by hand, as a client in another language would,
 * and the messages it received. A reply that never comes fails after `receiveTimeoutMs` instead
 * of hanging the test.
 */
export class RawDealer {
  readonly dealer: Dealer
  /** Multipart messages received that did not decode (a host must never send one). */
  readonly unreadable: Buffer[][] = []
  private readonly inbox: Message[] = []

  constructor(endpoint: string, options: {curve?: RawCurve; receiveTimeoutMs?: number} = {}) {
    const {curve} = options
    this.dealer = new Dealer({
      linger: 0,
      receiveTimeout: options.receiveTimeoutMs ?? 10_000,
      ...(curve === undefined ? {} : {curveServerKey: curve.serverKey, curvePublicKey: curve.publicKey, curveSecretKey: curve.secretKey}),
    })
    this.dealer.connect(endpoint)
    open.add(this)
  }

  send(frames: ReadonlyArray<Buffer | string>): Promise<void> {
    return this.dealer.send([...frames])
  }

  /** The next message received (several may come in one batch). */
  async next(): Promise<Message> {
    while (this.inbox.length === 0) {
      const frames = await this.dealer.receive()
      const {messages, faults} = decode(frames)
      if (faults.length > 0) this.unreadable.push(frames)
      this.inbox.push(...messages)
    }
    return this.inbox.shift()!
  }

  /**
   * Send these multipart messages, then a ping, and return every message that came back before
   * its pong. A host handles one connection's messages in order and answers a refusal at once, so
   * any refusal it answers arrives before the pong: what is missing was not answered. (A call's
   * reply waits for its method, so it may come after.)
   */
  async answersBefore(sends: ReadonlyArray<ReadonlyArray<Buffer | string>>, pingId = 'fence'): Promise<Message[]> {
    for (const frames of sends) await this.send(frames)
    await this.send(encode([{type: 'ping', id: pingId, header: {}, body: null}]))
    const answers: Message[] = []
    for (;;) {
      const message = await this.next()
      if (message.type === 'pong' && message.id === pingId) return answers
      answers.push(message)
    }
  }

  /** Resolves at the next socket event of this type (a refused handshake, a disconnect). */
  once(type: EventType): Promise<void> {
    return new Promise((resolve) => this.dealer.events.on(type, () => resolve()))
  }

  close(): void {
    open.delete(this)
    this.dealer.close()
  }
}
