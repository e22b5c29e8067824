import {Router} from 'zeromq'
import {StewardError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'
import {CoalescingSender} from './coalescing-sender.js'
import type {LocalDispatcher} from './local-dispatcher.js'
import {decode, type Fault, type Message} from './protocol.js'
import {LogThrottle} from '../log/log-throttle.js'
import {toWireError} from './wire-errors.js'
import {allowCurveClients} from './zap-handler.js'

export interface ServerCurve {
  publicKey: string
  secretKey: string
}

export interface RpcServerOptions {
  /** Where to bind: `ipc:///path` or `tcp://host:port` (port 0 picks a free one). */
  endpoint: string
  dispatcher: LocalDispatcher
  log: Logger
  /** The host name, answered to pings. */
  host: string
  /** Messages larger than this many bytes are refused by ZeroMQ (the peer is disconnected). */
  maxMessageSize: number
  curve?: ServerCurve
  /** With CURVE: the client public keys (Z85) answered; empty answers any client. */
  allowedClients?: readonly string[]
}

/** Refusals, by reason, since the server started; for monitors and tests. */
export type RefusalCounts = Record<string, number>

/**
 * A host's ROUTER socket: receives calls and casts for the services of this host, hands them to
 * the local dispatcher and sends the replies back, coalesced per peer. Malformed input is refused
 * with an error reply when there is an id to answer, counted, and logged once per peer a minute.
 */
export class RpcServer {
  private readonly router: Router
  private readonly sender: CoalescingSender
  readonly refused: RefusalCounts = {}
  private readonly throttle = new LogThrottle()
  private receiving: Promise<void> | undefined
  private closed = false
  private boundEndpoint = ''
  private releaseCurveClients: (() => Promise<void>) | undefined
  /** Calls dispatched and not yet answered. */
  private answering = 0

  constructor(private readonly options: RpcServerOptions) {
    const {curve} = options
    this.router = new Router({
      linger: 0,
      maxMessageSize: options.maxMessageSize,
      ...(curve === undefined ? {} : {curveServer: true, curvePublicKey: curve.publicKey, curveSecretKey: curve.secretKey}),
    })
    this.sender = new CoalescingSender(
      this.router,
      (error, dropped) => this.options.log.debug(`a reply could not be sent; ${dropped} dropped`, {error}),
      options.maxMessageSize,
    )
  }

  /** The CURVE public key clients must use to reach this server, or null without CURVE. */
  get publicKey(): string | null {
    return this.options.curve?.publicKey ?? null
  }

  /** The endpoint bound, with the port filled in for `tcp://…:0`. */
  get endpoint(): string {
    return this.boundEndpoint
  }

  async bind(): Promise<string> {
    const wanted = this.options.endpoint.replace(/:0$/, ':*')
    if (this.options.curve !== undefined && (this.options.allowedClients?.length ?? 0) > 0) {
      this.releaseCurveClients = await allowCurveClients(this.options.allowedClients!, this.options.log)
    }
    try {
      await this.router.bind(wanted)
    } catch (error) {
      await this.releaseCurveClients?.()
      throw new StewardError('RPC_ENDPOINT_FAILED', `Cannot bind the RPC endpoint ${this.options.endpoint}: ${(error as Error).message}`, {
        cause: error,
        data: {endpoint: this.options.endpoint},
        suggestions: ['Is another host using it? Choose another rpc_listen, or stop the other host.'],
      })
    }
    this.boundEndpoint = this.router.lastEndpoint ?? wanted
    this.watchHandshakes()
    this.receiving = this.receive()
    return this.boundEndpoint
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.router.close()
    await this.receiving
    await this.releaseCurveClients?.()
  }

  private async receive(): Promise<void> {
    try {
      // receive() rather than `for await`: the socket's async iterator adds an async function
      // and two promise hops to every message, on the path of every call.
      while (!this.router.closed) {
        const frames = await this.router.receive()
        const peer = frames[0]
        if (peer === undefined) continue
        const {messages, faults} = decode(frames, 1)
        for (const fault of faults) this.refuse(peer, fault)
        for (const message of messages) this.handle(peer, message)
        // Answers ready at once (a method that does not wait) go out before the socket is polled
        // again: polling first put ~2 µs on the path of every sequential call.
        await undefined
      }
    } catch (error) {
      if (!this.closed) this.options.log.error('the RPC server stopped receiving', {error})
    }
  }

  /**
   * Count and log the connections ZeroMQ refuses before any message reaches us: a client without
   * CURVE or with the wrong server key (`handshake:error:protocol`), one whose key the ZAP handler
   * refused (`handshake:error:auth`; the handler logs those, with the key). Without this they
   * went uncounted and unlogged. The event names no peer, so the log is once a minute per kind.
   */
  private watchHandshakes(): void {
    const events = this.router.events
    const refused = (kind: string, error: {message: string; code?: unknown}, log: boolean): void => {
      this.refused[kind] = (this.refused[kind] ?? 0) + 1
      if (log && this.throttle.allow(`handshake ${kind}`)) {
        this.options.log.warn(`refused a connection: ${error.message}${typeof error.code === 'string' ? ` (${error.code})` : ''}`, {code: kind})
      }
    }
    events.on('handshake:error:protocol', (event) => refused('HANDSHAKE_FAILED', event.error, true))
    events.on('handshake:error:other', (event) => refused('HANDSHAKE_FAILED', event.error, true))
    events.on('handshake:error:auth', (event) => refused('CLIENT_NOT_ALLOWED', event.error, false))
  }

  private handle(peer: Buffer, message: Message): void {
    switch (message.type) {
      case 'call': {
        this.answering++
        this.options.dispatcher.deliver(message.header, message.body).then(
          (result) => this.answer({type: 'reply', id: message.id, header: {}, body: result ?? null}, peer),
          (error: unknown) => this.answer({type: 'error', id: message.id, header: {}, body: toWireError(error)}, peer),
        )
        return
      }
      case 'cast': {
        this.options.dispatcher.deliver(message.header, message.body, true).catch((error: unknown) => {
          // A client can repeat a failing cast without end: one line a minute per method and code.
          const code = (error as {code?: unknown}).code
          if (this.throttle.allow(`cast ${message.header.topic}.${message.header.method} ${String(code)}`)) {
            this.options.log.warn(`cast ${message.header.topic}.${message.header.method} failed (logged once a minute per method and error code)`, {error, caller: message.header.ctx.caller})
          }
        })
        return
      }
      case 'ping': {
        this.sender.enqueue({type: 'pong', id: message.id, header: {host: this.options.host, pid: process.pid}, body: null}, peer)
        return
      }
      default: {
        this.refuse(peer, {id: message.id, code: 'PROTOCOL_ERROR', message: `a host does not accept "${message.type}" messages`})
      }
    }
  }

  /** Queue an answer; the last one owed goes at once with what is queued, not at the end of the turn. */
  private answer(message: Message, peer: Buffer): void {
    this.sender.enqueue(message, peer)
    if (--this.answering === 0) this.sender.flushNow()
  }

  private refuse(peer: Buffer, fault: Fault): void {
    this.refused[fault.code] = (this.refused[fault.code] ?? 0) + 1
    const key = peer.toString('hex')
    if (this.throttle.allow(key)) this.options.log.warn(`refused a message: ${fault.message}`, {code: fault.code, peer: key})
    if (fault.id === undefined) return
    const error = new StewardError(fault.code, `Refused: ${fault.message}.`)
    this.sender.enqueue({type: 'error', id: fault.id, header: {}, body: toWireError(error)}, peer)
  }
}
