import {curveKeyPair} from 'zeromq'
import {silentLogger, type Logger} from '../log/logger.js'
import {hostProcessOf, hostState} from '../service/service-state.js'
import type {HostRecord, ServiceRecord, StateStore} from '../store/types.js'
import {FEED_TOPICS, type FeedTopic} from './feed-protocol.js'
import {FeedSubscriber} from './feed-subscriber.js'
import {buildMonitorModel, type ReceivedSnapshot} from './monitor-model.js'
import type {FeedEvent, MonitorModel, TelemetryLogLine} from './telemetry.js'

export interface MonitorClientOptions {
  /** The state store: the services and hosts tables, re-read every `refreshMs`. */
  store: Pick<StateStore, 'listServices' | 'listHosts'>
  /** service_down_time, seconds. */
  downTimeSeconds: number
  /** This client's CURVE key pair (rpc_curve_client_key) for hosts that require CURVE; else an ephemeral one. */
  clientKeys?: {publicKey: string; secretKey: string}
  /** Watch only these host processes (and their services, `host@backend` included). @default every host */
  hosts?: readonly string[]
  /** What to subscribe to. @default every topic */
  topics?: readonly FeedTopic[]
  /** @default 2000 */
  refreshMs?: number
  /** The newest log lines kept. @default 1000 */
  logLimit?: number
  /** A host's snapshot older than this is no longer shown. @default 3500 */
  staleAfterMs?: number
  /** Listeners of the model are told at most once per this many ms. @default 100 */
  notifyMs?: number
  log?: Logger
  /** @default () => new Date() */
  clock?: () => Date
}

/**
 * A live MonitorModel of every host the state store knows: a SUB socket on each host's telemetry
 * feed (hosts that appear later are joined at the next re-read of the store, every 2 s), joined
 * with the services and hosts tables. `subscribe` tells of changes, at most 10 times a second by
 * default, so a fast feed never costs more than that many models; `snapshotOnce` is for
 * `steward monitor --once`.
 */
export class MonitorClient {
  private readonly options: Required<Omit<MonitorClientOptions, 'clientKeys' | 'hosts'>> & Pick<MonitorClientOptions, 'clientKeys'>
  private readonly watched: ReadonlySet<string> | undefined
  private services: ServiceRecord[] = []
  private hosts: HostRecord[] = []
  private readonly feeds = new Map<string, FeedSubscriber>()
  private readonly snapshots = new Map<string, ReceivedSnapshot>()
  /** A ring of the newest log lines; `logStart` is the oldest's index once it is full. */
  private readonly logRing: TelemetryLogLine[] = []
  private logStart = 0
  private readonly modelListeners = new Set<(model: MonitorModel) => void>()
  private readonly eventListeners = new Set<(event: FeedEvent) => void>()
  private model: MonitorModel | undefined
  /** Log lines came since the model was built (and nothing else: that drops the model). */
  private logsChanged = false
  private modelBuiltAt = 0
  private notifyTimer: NodeJS.Timeout | undefined
  private refreshTimer: NodeJS.Timeout | undefined
  private refreshing: Promise<void> | undefined
  private storeFailed = false
  private ephemeralKeys: {publicKey: string; secretKey: string} | undefined
  private closed = false

  private constructor(options: MonitorClientOptions) {
    const {hosts, ...rest} = options
    this.options = {topics: FEED_TOPICS, refreshMs: 2000, logLimit: 1000, staleAfterMs: 3500, notifyMs: 100, log: silentLogger, clock: () => new Date(), ...rest}
    this.watched = hosts === undefined ? undefined : new Set(hosts)
  }

  /** Read the store, connect to every host's feed, and keep both up to date until close(). */
  static async open(options: MonitorClientOptions): Promise<MonitorClient> {
    const client = new MonitorClient(options)
    await client.refresh()
    client.refreshTimer = setInterval(() => void client.refresh(), client.options.refreshMs)
    return client
  }

  /**
   * The model now: rebuilt when something changed, or a second passed (ages move). When only log
   * lines came since it was built, within that second, it keeps its time, hosts and services (the
   * same objects) with the new log tail: a log line does not rebuild every service, and a view
   * that shows no log lines can tell it has nothing new to paint.
   */
  current(): MonitorModel {
    const now = this.options.clock()
    if (this.model === undefined || now.getTime() - this.modelBuiltAt >= 1000) {
      this.model = buildMonitorModel({
        now,
        downTimeSeconds: this.options.downTimeSeconds,
        services: this.services,
        hosts: this.hosts,
        snapshots: this.snapshots,
        staleAfterMs: this.options.staleAfterMs,
        logs: this.logs(),
      })
      this.modelBuiltAt = now.getTime()
    } else if (this.logsChanged) {
      this.model = {...this.model, logs: this.logs()}
    }
    this.logsChanged = false
    return this.model
  }

  /** Be told of changes (throttled); returns the function that stops it. */
  subscribe(listener: (model: MonitorModel) => void): () => void {
    this.modelListeners.add(listener)
    return () => void this.modelListeners.delete(listener)
  }

  /** Be told of every feed event as it comes (tests, the non-TTY log stream). */
  onEvent(listener: (event: FeedEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => void this.eventListeners.delete(listener)
  }

  /**
   * The model once every host that is up and has a feed has sent a snapshot since this call, or
   * when `timeoutMs` has passed (the hosts that did not answer then show no telemetry).
   */
  async snapshotOnce({timeoutMs = 5000}: {timeoutMs?: number} = {}): Promise<MonitorModel> {
    const since = this.options.clock().getTime()
    const waiting = (): boolean =>
      this.hosts.some((host) => host.feedEndpoint !== undefined && hostState(host, this.options.clock(), this.options.downTimeSeconds) === 'up' && (this.snapshots.get(host.name)?.receivedAt ?? -1) < since)
    if (waiting()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs)
        const stop = this.onEvent((event) => {
          if (event.type === 'snapshot' && !waiting()) done()
        })
        function done(): void {
          clearTimeout(timer)
          stop()
          resolve()
        }
      })
    }
    this.model = undefined
    return this.current()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.refreshTimer)
    clearTimeout(this.notifyTimer)
    await this.refreshing
    await Promise.all([...this.feeds.values()].map((feed) => feed.close()))
    this.feeds.clear()
  }

  /** Re-read the store and follow its hosts: join new ones, leave stopped ones, follow moves. */
  private refresh(): Promise<void> {
    this.refreshing ??= this.readStore().finally(() => (this.refreshing = undefined))
    return this.refreshing
  }

  private async readStore(): Promise<void> {
    try {
      const [services, hosts] = await Promise.all([this.options.store.listServices(), this.options.store.listHosts()])
      const watched = this.watched
      this.services = watched === undefined ? services : services.filter((service) => watched.has(hostProcessOf(service.host)))
      this.hosts = watched === undefined ? hosts : hosts.filter((host) => watched.has(host.name))
      if (this.storeFailed) this.options.log.info('the state store answers again')
      this.storeFailed = false
    } catch (error) {
      if (!this.storeFailed) this.options.log.warn('cannot read the state store; showing what was read last', {error})
      this.storeFailed = true
      return
    }
    if (this.closed) return
    const wanted = new Map(this.hosts.filter((host) => host.stoppedAt === null && host.feedEndpoint !== undefined).map((host) => [host.name, host]))
    // A host whose record is gone (steward services cleanup) leaves no snapshot behind.
    const known = new Set(this.hosts.map((host) => host.name))
    for (const name of this.snapshots.keys()) if (!known.has(name)) this.snapshots.delete(name)
    for (const [name, feed] of this.feeds) {
      const host = wanted.get(name)
      if (host !== undefined && host.feedEndpoint === feed.endpoint && host.publicKey === feed.serverKey) continue
      this.feeds.delete(name)
      void feed.close()
    }
    for (const [name, host] of wanted) {
      if (this.feeds.has(name)) continue
      this.feeds.set(
        name,
        new FeedSubscriber({
          host: name,
          endpoint: host.feedEndpoint!,
          serverKey: host.publicKey,
          clientKeys: () => this.clientKeys(),
          topics: this.options.topics,
          onEvent: (from, event) => this.received(from, event),
          log: this.options.log,
        }),
      )
    }
    this.changed()
  }

  private received(host: string, event: FeedEvent): void {
    const now = this.options.clock().getTime()
    if (event.type === 'snapshot') {
      this.snapshots.set(host, {snapshot: event.snapshot, receivedAt: now})
    } else if (event.type === 'log') {
      this.addLog(event.line)
    } else if (event.type === 'backlog') {
      this.addBacklog(event.lines)
    } else {
      this.applyReload(host, event)
    }
    for (const listener of this.eventListeners) {
      try {
        listener(event)
      } catch (error) {
        this.options.log.warn('a monitor event listener threw', {error})
      }
    }
    this.changed(event.type === 'log' || event.type === 'backlog' ? 'logs' : 'all')
  }

  /**
   * Show a reload at once in the host's latest snapshot (the next snapshot confirms it), with new
   * objects rather than changes to ones a model already handed out.
   */
  private applyReload(host: string, event: Extract<FeedEvent, {type: 'reload'}>): void {
    const received = this.snapshots.get(host)
    if (received === undefined) return
    const services = received.snapshot.services.map((service) => {
      if (service.host !== event.host || service.binary !== event.binary || service.generation === null) return service
      const {record} = event
      const generation = {...service.generation, lastReload: record, ...(record.ok ? {generation: record.generation, reloads: service.generation.reloads + 1, state: 'serving' as const} : {})}
      return {...service, generation}
    })
    this.snapshots.set(host, {...received, snapshot: {...received.snapshot, services}})
  }

  private addLog(line: TelemetryLogLine): void {
    if (this.logRing.length < this.options.logLimit) {
      this.logRing.push(line)
      return
    }
    this.logRing[this.logStart] = line
    this.logStart = (this.logStart + 1) % this.options.logLimit
  }

  /**
   * Lines a host logged before this client subscribed: those not held already (a backlog comes
   * again whenever another monitor subscribes, and may repeat lines that also came live) join the
   * tail in time order, and the newest `logLimit` stay.
   */
  private addBacklog(lines: readonly TelemetryLogLine[]): void {
    const held = new Set(this.logRing.map(lineKey))
    const missing = lines.filter((line) => line.seq !== undefined && !held.has(lineKey(line)))
    if (missing.length === 0) return
    const merged = [...this.logs(), ...missing].map((line) => ({line, at: Date.parse(line.time)}))
    // Stable: lines of one time keep their order.
    merged.sort((a, b) => a.at - b.at)
    this.logRing.length = 0
    this.logRing.push(...merged.slice(-this.options.logLimit).map(({line}) => line))
    this.logStart = 0
  }

  private logs(): TelemetryLogLine[] {
    return [...this.logRing.slice(this.logStart), ...this.logRing.slice(0, this.logStart)]
  }

  /** Something changed: the next current() rebuilds (or takes the new log lines), and listeners hear of it soon. */
  private changed(what: 'all' | 'logs' = 'all'): void {
    if (what === 'all') this.model = undefined
    else this.logsChanged = true
    if (this.modelListeners.size === 0 || this.notifyTimer !== undefined || this.closed) return
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined
      if (this.closed) return
      const model = this.current()
      for (const listener of this.modelListeners) listener(model)
    }, this.options.notifyMs)
  }

  private clientKeys(): {publicKey: string; secretKey: string} {
    if (this.options.clientKeys !== undefined) return this.options.clientKeys
    this.ephemeralKeys ??= curveKeyPair()
    return this.ephemeralKeys
  }
}

/** What tells a line from another: its host, the host's number for it, and its time (a restarted host counts from 1 again). */
function lineKey(line: TelemetryLogLine): string {
  return `${line.host}\u0000${line.seq ?? ''}\u0000${line.time}`
}
