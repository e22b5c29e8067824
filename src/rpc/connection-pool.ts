import {curveKeyPair} from 'zeromq'
import type {Logger} from '../log/logger.js'
import {PeerConnection} from './peer-connection.js'
import type {RouteTarget} from './target-resolver.js'

export interface ClientKeys {
  publicKey: string
  secretKey: string
}

/**
 * One connection per host endpoint, opened on first use and kept. A host that requires CURVE is
 * reached with this client's configured key pair, or an ephemeral one (which only a host that
 * allows any client accepts).
 */
export class ConnectionPool {
  private readonly connections = new Map<string, PeerConnection>()
  /** The connection of each route target, so a call skips building the key above. */
  private byTarget = new WeakMap<RouteTarget, PeerConnection>()
  private ephemeral: ClientKeys | undefined

  constructor(
    private readonly log: Logger,
    private readonly keys?: ClientKeys,
    /** rpc_max_message_size: batches are split to stay under it. */
    private readonly maxMessageSize?: number,
  ) {}

  /** Connections open now, one per peer endpoint. */
  get size(): number {
    return this.connections.size
  }

  /** The connection to a target's host. */
  to(target: RouteTarget): PeerConnection {
    let connection = this.byTarget.get(target)
    if (connection === undefined) {
      connection = this.byEndpoint(target.endpoint, target.publicKey)
      this.byTarget.set(target, connection)
    }
    return connection
  }

  private byEndpoint(endpoint: string, serverKey: string | null): PeerConnection {
    const key = `${endpoint}\u0000${serverKey ?? ''}`
    let connection = this.connections.get(key)
    if (connection === undefined) {
      const curve = serverKey === null ? undefined : {serverKey, ...this.clientKeys()}
      connection = new PeerConnection(endpoint, this.log, curve, this.maxMessageSize)
      this.connections.set(key, connection)
    }
    return connection
  }

  /** Close every connection, giving queued messages `lingerMs` to leave. */
  async close(lingerMs = 0): Promise<void> {
    const connections = [...this.connections.values()]
    this.connections.clear()
    this.byTarget = new WeakMap()
    await Promise.all(connections.map((connection) => connection.close(lingerMs)))
  }

  private clientKeys(): ClientKeys {
    if (this.keys !== undefined) return this.keys
    this.ephemeral ??= curveKeyPair()
    return this.ephemeral
  }
}
