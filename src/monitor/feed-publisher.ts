import {XPublisher} from 'zeromq'
import {StewardError} from '../errors/index.js'
import {LogThrottle} from '../log/log-throttle.js'
import type {Logger, LogRecord} from '../log/logger.js'
import type {ReloadRecord} from '../plugins/generation-slot.js'
import {allowCurveClients} from '../rpc/zap-handler.js'
import {encodeFeedEvent, FEED_TOPICS, type FeedTopic} from './feed-protocol.js'
import type {FeedEvent, HostSnapshot, TelemetryLogLine} from './telemetry.js'

export interface FeedPublisherOptions {
  /** The host's name, in every log line. */
  host: string
  log: Logger
  /** Builds the host's snapshot; called only while a monitor subscribes to snapshots. */
  snapshot: () => Promise<HostSnapshot>
  /** The RPC server's CURVE keys: the feed requires the same. */
  curve?: {publicKey: string; secretKey: string}
  /** With CURVE: the client keys answered (rpc_curve_allowed_clients); empty answers any. */
  allowedClients?: readonly string[]
  /** @default 1000 */
  intervalMs?: number
  /** Log lines sent in one second, beyond which they are dropped (and the drop is said). @default 200 */
  maxLogLinesPerSecond?: number
  /** Messages waiting to be sent beyond which new ones are dropped. @default 1000 */
  maxQueued?: number
  /** The last log lines kept for monitors that subscribe later (the `backlog` topic). @default 100 */
  backlogLines?: number
}

/**
 * A host's telemetry feed: a ZeroMQ XPUB socket that publishes `snapshot`, `log`, `reload` and
 * `backlog` events to monitors. XPUB hands us every subscribe and unsubscribe (also those a
 * disconnect implies), so the feed knows whether anyone listens to each topic; while nobody does it
 * builds nothing: the log listener only keeps the record in the backlog ring, and no timer runs.
 * A slow monitor never slows the host: XPUB drops what a subscriber does not read, and our own
 * send queue is bounded.
 */
export class FeedPublisher {
  private readonly socket: XPublisher
  private readonly options: Required<Omit<FeedPublisherOptions, 'curve' | 'allowedClients'>> & Pick<FeedPublisherOptions, 'curve' | 'allowedClients'>
  /** Subscribers by subscribed prefix (a SUB subscribing to "" gets every topic). */
  private readonly prefixes = new Map<string, number>()
  private readonly wants: Record<FeedTopic, boolean> = {snapshot: false, log: false, reload: false, backlog: false}
  private timer: NodeJS.Timeout | undefined
  private building = false
  private readonly queue: Array<[string, string]> = []
  private sending = false
  private receiving: Promise<void> | undefined
  private releaseCurveClients: (() => Promise<void>) | undefined
  private closed = false
  private boundEndpoint: string | undefined
  private readonly throttle = new LogThrottle()
  /** The log lines of the current second, and those dropped in it. */
  private windowStart = 0
  private windowLines = 0
  private dropped = 0
  private toldOfDrops = false
  /**
   * The last `backlogLines` records, as the logger made them: a monitor that starts after the host
   * sees what it logged (its start, a reload) rather than an empty tail. Line `seq` sits at index
   * (seq - 1) % backlogLines; `logged` is the newest line's seq.
   */
  private readonly recent: LogRecord[] = []
  private logged = 0

  constructor(options: FeedPublisherOptions) {
    this.options = {intervalMs: 1000, maxLogLinesPerSecond: 200, maxQueued: 1000, backlogLines: 100, ...options}
    const {curve} = options
    this.socket = new XPublisher({
      linger: 0,
      // Every subscribe and unsubscribe, duplicates included, so each subscriber is counted.
      verbosity: 'allSubsUnsubs',
      ...(curve === undefined ? {} : {curveServer: true, curvePublicKey: curve.publicKey, curveSecretKey: curve.secretKey}),
    })
  }

  /** The endpoint bound (the port filled in), once bound. */
  get endpoint(): string | undefined {
    return this.boundEndpoint
  }

  /** Whether any monitor subscribes to the topic now. */
  wanted(topic: FeedTopic): boolean {
    return this.wants[topic]
  }

  async bind(endpoint: string): Promise<string> {
    const {curve, allowedClients} = this.options
    if (curve !== undefined && (allowedClients?.length ?? 0) > 0) this.releaseCurveClients = await allowCurveClients(allowedClients!, this.options.log)
    try {
      await this.socket.bind(endpoint)
    } catch (error) {
      await this.releaseCurveClients?.()
      this.releaseCurveClients = undefined
      throw new StewardError('RPC_ENDPOINT_FAILED', `Cannot bind the telemetry feed ${endpoint}: ${(error as Error).message}`, {cause: error, data: {endpoint}})
    }
    this.boundEndpoint = this.socket.lastEndpoint ?? endpoint
    this.receiving = this.receiveSubscriptions()
    return this.boundEndpoint
  }

  /**
   * Hand to the host logger's listeners: every line the host logs. It is kept in the backlog ring
   * (a reference, nothing read or built) and sent while a monitor wants log lines.
   */
  readonly logListener = (record: LogRecord): void => {
    if (this.closed) return
    const seq = ++this.logged
    if (this.options.backlogLines > 0) this.recent[(seq - 1) % this.options.backlogLines] = record
    if (!this.wants.log) return
    const now = record.time.getTime()
    if (now - this.windowStart >= 1000) this.newLogWindow(now)
    if (++this.windowLines > this.options.maxLogLinesPerSecond) {
      this.dropped++
      return
    }
    this.publish({type: 'log', line: this.lineOf(record, seq)})
  }

  /** A service's reload or replacement has finished. */
  reloaded(service: {host: string; binary: string}, record: ReloadRecord): void {
    if (!this.wants.reload || this.closed) return
    this.publish({type: 'reload', host: service.host, binary: service.binary, record})
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.stopTimer()
    this.socket.close()
    await this.receiving
    await this.releaseCurveClients?.()
  }

  private async receiveSubscriptions(): Promise<void> {
    try {
      while (!this.socket.closed) {
        const [message] = await this.socket.receive()
        // A subscription message is a byte 1 (subscribe) or 0 (unsubscribe) and the prefix.
        if (message === undefined || message.length === 0 || message[0]! > 1) continue
        this.subscription(message[0] === 1, message.subarray(1).toString('utf8'))
      }
    } catch (error) {
      if (!this.closed) this.options.log.warn('the telemetry feed stopped reading subscriptions; monitors may get nothing', {error})
    }
  }

  private subscription(subscribe: boolean, prefix: string): void {
    const count = Math.max(0, (this.prefixes.get(prefix) ?? 0) + (subscribe ? 1 : -1))
    if (count === 0) this.prefixes.delete(prefix)
    else this.prefixes.set(prefix, count)
    for (const topic of FEED_TOPICS) this.wants[topic] = [...this.prefixes.keys()].some((candidate) => topic.startsWith(candidate))
    if (this.wants.snapshot || this.wants.log || this.wants.reload) this.startTimer()
    else this.stopTimer()
    // A new backlog subscriber gets the lines logged before it came. Every backlog subscriber
    // gets it (PUB sends to all): monitors drop the lines they hold already, by seq.
    if (subscribe && 'backlog'.startsWith(prefix)) this.publishBacklog()
    // A new snapshot subscriber sees the host at once rather than up to a second later.
    if (subscribe && 'snapshot'.startsWith(prefix)) void this.publishSnapshot()
  }

  /** The lines in the backlog ring, oldest first; a line whose fields JSON cannot carry goes without them. */
  private publishBacklog(): void {
    if (this.closed) return
    const size = this.options.backlogLines
    const lines: TelemetryLogLine[] = []
    for (let seq = Math.max(1, this.logged - size + 1); seq <= this.logged; seq++) {
      const line = this.lineOf(this.recent[(seq - 1) % size]!, seq)
      try {
        JSON.stringify(line.fields)
        lines.push(line)
      } catch (error) {
        lines.push({...line, fields: {unserializable: String(error)}})
      }
    }
    this.publish({type: 'backlog', host: this.options.host, lines})
  }

  private lineOf(record: LogRecord, seq: number): TelemetryLogLine {
    return {time: record.time.toISOString(), host: this.options.host, level: record.level, message: record.message, fields: jsonFields(record.fields), seq}
  }

  private startTimer(): void {
    if (this.timer !== undefined) return
    this.timer = setInterval(() => this.tick(), this.options.intervalMs)
    this.timer.unref()
  }

  private stopTimer(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  private tick(): void {
    if (this.dropped > 0 && Date.now() - this.windowStart >= 1000) this.newLogWindow(Date.now())
    if (this.wants.snapshot) void this.publishSnapshot()
  }

  /** One snapshot at a time: a tick while one is built (a slow generation) is skipped. */
  private async publishSnapshot(): Promise<void> {
    if (this.building || this.closed) return
    this.building = true
    try {
      const snapshot = await this.options.snapshot()
      if (this.wants.snapshot) this.publish({type: 'snapshot', snapshot})
    } catch (error) {
      if (this.throttle.allow('snapshot')) this.options.log.warn('the telemetry feed could not build a snapshot (logged once a minute)', {error})
    } finally {
      this.building = false
    }
  }

  /** Start a new second of log lines; say how many the last one dropped. */
  private newLogWindow(now: number): void {
    const dropped = this.dropped
    this.windowStart = now
    this.windowLines = 0
    this.dropped = 0
    if (dropped === 0) return
    const message = `the telemetry feed dropped ${dropped} log line(s): it sends at most ${this.options.maxLogLinesPerSecond} a second`
    this.publish({type: 'log', line: {time: new Date(now).toISOString(), host: this.options.host, level: 'warn', message, fields: {dropped}}})
    if (!this.toldOfDrops) {
      this.toldOfDrops = true
      // Once in the host's own log too; this line goes through the listener, in the new window.
      this.options.log.warn(`${message} (said once here; monitors are told each second it happens)`)
    }
  }

  private publish(event: FeedEvent): void {
    if (this.queue.length >= this.options.maxQueued) return
    let frames: [string, string]
    try {
      frames = encodeFeedEvent(event)
    } catch (error) {
      // A log line's fields that JSON cannot carry (a cycle, a BigInt): send the line without them.
      if (event.type !== 'log') return this.warnLater(`could not encode a ${event.type} event`, error)
      frames = encodeFeedEvent({type: 'log', line: {...event.line, fields: {unserializable: String(error)}}})
    }
    this.queue.push(frames)
    if (!this.sending) void this.drain()
  }

  /** zeromq.js allows one send at a time: one loop sends what is queued. */
  private async drain(): Promise<void> {
    this.sending = true
    try {
      while (this.queue.length > 0 && !this.socket.closed) await this.socket.send(this.queue.shift()!)
    } catch (error) {
      if (!this.closed) this.warnLater('could not send', error)
      this.queue.length = 0
    } finally {
      this.sending = false
    }
  }

  /**
   * Log a failure of the feed, once a minute per kind, outside the current turn: this may run
   * inside the log listener, where logging would publish a line that fails again.
   */
  private warnLater(what: string, error: unknown): void {
    if (!this.throttle.allow(what)) return
    setTimeout(() => this.options.log.warn(`the telemetry feed ${what} (logged once a minute)`, {error}), 0).unref()
  }
}

/** Log fields as JSON carries them: an error as its message and code. */
function jsonFields(fields: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined
  for (const [key, value] of Object.entries(fields)) {
    if (!(value instanceof Error)) continue
    out ??= {...fields}
    out[key] = {message: value.message, ...('code' in value ? {code: value.code} : {})}
  }
  return out ?? fields
}
