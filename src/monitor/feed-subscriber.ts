import {Subscriber} from 'zeromq'
import type {Logger} from '../log/logger.js'
import {decodeFeedEvent, type FeedTopic} from './feed-protocol.js'
import type {FeedEvent} from './telemetry.js'

export interface FeedSubscriberOptions {
  /** The host process name, as in its record. */
  host: string
  endpoint: string
  /** The host's CURVE public key, or null when its endpoints have no CURVE. */
  serverKey: string | null
  /** This client's key pair, used when the host requires CURVE. */
  clientKeys: () => {publicKey: string; secretKey: string}
  topics: readonly FeedTopic[]
  onEvent: (host: string, event: FeedEvent) => void
  log: Logger
}

/**
 * A SUB socket on one host's telemetry feed. ZeroMQ connects (and reconnects after a restart of
 * the host) on its own; what cannot be read is skipped and counted, never thrown.
 */
export class FeedSubscriber {
  private readonly socket: Subscriber
  private readonly receiving: Promise<void>
  private closed = false
  /** Messages that were not version-1 feed events. */
  unreadable = 0

  constructor(private readonly options: FeedSubscriberOptions) {
    const {serverKey} = options
    const curve = serverKey === null ? {} : {curveServerKey: serverKey, ...keys(options.clientKeys())}
    this.socket = new Subscriber({linger: 0, ...curve})
    this.socket.connect(options.endpoint)
    // Snapshots last: the host sends one as soon as it reads that subscription, and it reads them
    // in order, so the first snapshot means the other topics are flowing too.
    for (const topic of [...options.topics].sort((a, b) => Number(a === 'snapshot') - Number(b === 'snapshot'))) this.socket.subscribe(topic)
    this.receiving = this.receive()
  }

  get endpoint(): string {
    return this.options.endpoint
  }

  get serverKey(): string | null {
    return this.options.serverKey
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.socket.close()
    await this.receiving
  }

  private async receive(): Promise<void> {
    try {
      while (!this.socket.closed) {
        const event = decodeFeedEvent(await this.socket.receive())
        if (event === undefined) {
          if (this.unreadable++ === 0) this.options.log.warn(`unreadable telemetry from host ${this.options.host} (${this.options.endpoint}); skipping such messages`)
          continue
        }
        this.options.onEvent(this.options.host, event)
      }
    } catch (error) {
      if (!this.closed) this.options.log.warn(`stopped receiving telemetry from host ${this.options.host}`, {error})
    }
  }
}

function keys(pair: {publicKey: string; secretKey: string}): {curvePublicKey: string; curveSecretKey: string} {
  return {curvePublicKey: pair.publicKey, curveSecretKey: pair.secretKey}
}
