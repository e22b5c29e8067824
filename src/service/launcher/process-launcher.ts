import cluster, {type Worker} from 'node:cluster'
import {fileURLToPath} from 'node:url'
import {StewardError} from '../../errors/index.js'
import type {LogLevel} from '../../config/options.js'
import type {Logger} from '../../log/logger.js'
import type {LaunchableServer, ServerSpec} from './launchable-server.js'
import {RestartPolicy} from './restart-policy.js'
import {isWorkerMessage, LOG_LEVEL_ENV, SLOT_ENV, SPEC_ENV, type LauncherMessage, type WorkerMessage} from './worker-protocol.js'

export type WorkerState = 'starting' | 'running' | 'backoff' | 'errored' | 'stopping' | 'stopped'

/** One worker slot as `steward status` shows it (the host records these). */
export interface WorkerStatus {
  /** The server spec's name (`api`). */
  name: string
  slot: number
  pid: number | null
  state: WorkerState
  /** Respawns of this slot since the launcher started. */
  restarts: number
  /** Unstable exits in a row (see worker_min_uptime). */
  unstableExits: number
  startedAt: string | null
  lastExit: {code: number | null; signal: string | null; at: string} | null
}

export interface ProcessLauncherOptions {
  log: Logger
  /** How long a graceful stop waits for the workers before SIGKILL; 0 waits forever. */
  gracefulTimeoutMs: number
  /** See RestartPolicyOptions. */
  minUptimeMs: number
  maxRestarts: number
  initialDelayMs?: number
  maxDelayMs?: number
  /** The least severe level workers send to this process's log. @default 'info' */
  logLevel?: LogLevel
  /** Told when a worker is ready, with its server's `endpoint` (undefined when it has none). */
  onReady?: (worker: WorkerStatus, endpoint: unknown) => void
  /** Told whenever a slot changes state, to record it. */
  onChange?: (workers: WorkerStatus[]) => void
}

interface Slot {
  spec: ServerSpec
  status: WorkerStatus
  policy: RestartPolicy
  worker: Worker | undefined
  readyAt: number | undefined
  timer: NodeJS.Timeout | undefined
}

const workerMain = fileURLToPath(new URL('worker-main.js', import.meta.url))

/**
 * Manila's ProcessLauncher on node:cluster: N worker processes that each build the server from its
 * spec, sharing its listening sockets (the primary accepts and hands connections round-robin). A
 * worker that dies is respawned with exponential backoff; one that keeps dying is left errored.
 * A worker exits when the launcher's process dies (cluster's IPC disconnect). reset() replaces the
 * workers one by one, each new one ready before the old one stops gracefully, so a reload drops no
 * request. One per process: cluster's settings are the process's.
 */
export class ProcessLauncher implements LaunchableServer {
  private readonly slots: Slot[] = []
  /** Every worker this launcher forked that has not exited (cluster's list is the process's). */
  private readonly own = new Set<Worker>()
  /** Workers being replaced or stopped: their exits are expected. */
  private readonly retiring = new Set<Worker>()
  private stopping: Promise<void> | undefined
  private resetting: Promise<void> = Promise.resolve()
  private markStopped!: () => void
  private readonly stopped = new Promise<void>((resolve) => {
    this.markStopped = resolve
  })

  private started = false

  constructor(private readonly options: ProcessLauncherOptions) {}

  /**
   * Run `workers` processes of the server (Manila's launch_service). Before start(), they are
   * forked by start(); after, at once.
   */
  launchService(spec: ServerSpec, workers: number): void {
    if (!Number.isInteger(workers) || workers < 1) {
      throw new StewardError('CONFIG_INVALID', `${spec.name} needs at least one worker process; got ${workers}.`, {data: {name: spec.name, workers}})
    }
    if (this.stopping !== undefined) throw new StewardError('NO_SERVICE_AVAILABLE', 'The process launcher is stopping.')
    const added: Slot[] = []
    for (let slot = 1; slot <= workers; slot++) {
      added.push({
        spec,
        status: {name: spec.name, slot, pid: null, state: 'stopped', restarts: 0, unstableExits: 0, startedAt: null, lastExit: null},
        policy: new RestartPolicy(this.options),
        worker: undefined,
        readyAt: undefined,
        timer: undefined,
      })
    }
    this.slots.push(...added)
    if (this.started) for (const slot of added) this.fork(slot)
  }

  /** Every slot's status. */
  get workers(): WorkerStatus[] {
    return this.slots.map((slot) => ({...slot.status}))
  }

  /**
   * Fork every worker and resolve once each is ready. A worker that fails to start is respawned
   * as any other; start() fails only when every slot ends up errored.
   */
  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    cluster.setupPrimary({exec: workerMain, execArgv: process.execArgv, args: []})
    for (const slot of this.slots) this.fork(slot)
    await Promise.all(this.slots.map((slot) => this.whenSettled(slot)))
    if (this.slots.every((slot) => slot.status.state === 'errored')) {
      await this.stop({graceful: false})
      throw new StewardError('HOST_START_FAILED', `No ${[...new Set(this.slots.map((slot) => slot.spec.name))].join(', ')} worker could start: each one exited before it was ready (see the log).`, {
        data: {workers: this.workers},
      })
    }
  }

  /** Resolves when the slot's worker is ready, or the slot errored. */
  private whenSettled(slot: Slot): Promise<void> {
    return new Promise((resolve) => {
      const check = (): boolean => slot.status.state === 'running' || slot.status.state === 'errored' || this.stopping !== undefined
      if (check()) resolve()
      else this.settleWatchers.push({check, resolve})
    })
  }

  private settleWatchers: Array<{check: () => boolean; resolve: () => void}> = []

  private changed(slot: Slot, patch: Partial<WorkerStatus>): void {
    Object.assign(slot.status, patch)
    this.settleWatchers = this.settleWatchers.filter((watcher) => {
      if (!watcher.check()) return true
      watcher.resolve()
      return false
    })
    try {
      this.options.onChange?.(this.workers)
    } catch (error) {
      this.options.log.warn('could not record the workers', {error})
    }
  }

  private fork(slot: Slot, onReady?: (ready: boolean) => void): Worker {
    const {log} = this.options
    const {spec} = slot
    const worker = cluster.fork({[SPEC_ENV]: JSON.stringify(spec), [SLOT_ENV]: String(slot.status.slot), [LOG_LEVEL_ENV]: this.options.logLevel ?? 'info'})
    const replacing = onReady !== undefined
    this.own.add(worker)
    worker.once('exit', () => this.own.delete(worker))
    if (!replacing) {
      slot.worker = worker
      slot.readyAt = undefined
      this.changed(slot, {pid: worker.process.pid ?? null, state: 'starting', startedAt: new Date().toISOString()})
    }
    const workerLog = log.child({worker: `${spec.name}#${slot.status.slot}`})
    let ready = false
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return
      this.received(message, workerLog)
      if (message.steward === 'stopped') {
        const answer: LauncherMessage = {steward: 'exit'}
        if (worker.isConnected()) worker.send(answer)
        return
      }
      if (message.steward !== 'ready' || ready) return
      ready = true
      workerLog.info(`worker ${spec.name}#${slot.status.slot} (pid ${worker.process.pid}) ready`)
      try {
        this.options.onReady?.({...slot.status, pid: worker.process.pid ?? null}, message.endpoint)
      } catch (error) {
        log.warn('onReady failed', {error})
      }
      if (replacing) return onReady(true)
      slot.readyAt = Date.now()
      this.changed(slot, {state: 'running'})
    })
    // A worker that cannot be forked at all (EAGAIN) emits 'error' and then 'exit'.
    worker.on('error', (error) => workerLog.warn(`worker ${spec.name}#${slot.status.slot}: ${error.message}`))
    worker.on('exit', (code, signal) => {
      if (replacing && !ready) {
        workerLog.error(`the new worker ${spec.name}#${slot.status.slot} exited (${signal ?? `code ${code}`}) before it was ready: the old one keeps serving`)
        return onReady(false)
      }
      this.exited(slot, worker, code, signal)
    })
    return worker
  }

  private received(message: WorkerMessage, workerLog: Logger): void {
    if (message.steward === 'log') workerLog[message.level](message.message, message.fields)
    else if (message.steward === 'failed') workerLog.error(`worker failed to start: ${message.message}`, {code: message.code})
  }

  private exited(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    const {log} = this.options
    const {spec} = slot
    const lastExit = {code, signal, at: new Date().toISOString()}
    if (this.retiring.delete(worker) || slot.worker !== worker) return
    slot.worker = undefined
    const how = signal ?? `code ${code}`
    if (this.stopping !== undefined) {
      this.changed(slot, {state: 'stopped', pid: null, lastExit})
      return
    }
    const decision = slot.policy.exited(slot.readyAt === undefined ? undefined : Date.now() - slot.readyAt)
    const name = `${spec.name}#${slot.status.slot}`
    if (decision.kind === 'errored') {
      log.error(`worker ${name} (pid ${worker.process.pid}) exited (${how}); it died ${decision.unstableExits} times in a row within worker_min_uptime, so it is errored and not restarted (SIGHUP or a restart tries again)`, {
        worker: name,
      })
      this.changed(slot, {state: 'errored', pid: null, lastExit, unstableExits: decision.unstableExits})
      return
    }
    log.warn(`worker ${name} (pid ${worker.process.pid}) exited (${how}); restarting it in ${decision.delayMs} ms`, {worker: name})
    this.changed(slot, {state: 'backoff', pid: null, lastExit, unstableExits: decision.unstableExits})
    slot.timer = setTimeout(() => {
      slot.timer = undefined
      if (this.stopping !== undefined) return
      slot.status.restarts++
      this.fork(slot)
    }, decision.delayMs)
  }

  /**
   * SIGHUP: replace each worker with a new one that reads the configuration anew; the old one is
   * stopped gracefully once its replacement is ready (no request is dropped), or kept when the
   * replacement fails. Errored slots get a fresh start. Resets run one after the other.
   */
  reset(): Promise<void> {
    this.resetting = this.resetting.then(() => this.replaceAll())
    return this.resetting
  }

  private async replaceAll(): Promise<void> {
    for (const slot of this.slots) {
      if (this.stopping !== undefined) return
      slot.policy.reset()
      const old = slot.worker
      if (old === undefined) {
        if (slot.timer !== undefined) continue
        // Errored (or stopped): try it again.
        this.changed(slot, {unstableExits: 0})
        this.fork(slot)
        await this.whenSettled(slot)
        continue
      }
      let replacement!: Worker
      const ready = await new Promise<boolean>((resolve) => {
        replacement = this.fork(slot, resolve)
      })
      if (!ready) continue
      if (this.stopping !== undefined) {
        replacement.process.kill('SIGTERM')
        return
      }
      // The replacement takes the slot; the old one finishes its in-flight requests and exits.
      this.retiring.add(old)
      slot.worker = replacement
      slot.readyAt = Date.now()
      this.changed(slot, {pid: replacement.process.pid ?? null, state: 'running', startedAt: new Date().toISOString()})
      old.process.kill('SIGTERM')
    }
  }

  /**
   * SIGTERM every worker (graceful: each finishes its in-flight requests) or SIGINT (not
   * graceful), wait for them up to the graceful timeout, then SIGKILL what is left.
   */
  stop({graceful = true}: {graceful?: boolean} = {}): Promise<void> {
    this.stopping ??= this.stopAll(graceful)
    return this.stopping
  }

  private async stopAll(graceful: boolean): Promise<void> {
    for (const slot of this.slots) {
      clearTimeout(slot.timer)
      slot.timer = undefined
      if (slot.status.state === 'backoff') this.changed(slot, {state: 'stopped'})
    }
    const live = [...this.own].filter((worker) => !worker.isDead())
    const exits = live.map((worker) => new Promise<void>((resolve) => (worker.isDead() ? resolve() : worker.once('exit', () => resolve()))))
    for (const slot of this.slots) if (slot.worker !== undefined) this.changed(slot, {state: 'stopping'})
    for (const worker of live) worker.process.kill(graceful ? 'SIGTERM' : 'SIGINT')
    const {gracefulTimeoutMs, log} = this.options
    let timer: NodeJS.Timeout | undefined
    if (gracefulTimeoutMs > 0) {
      timer = setTimeout(() => {
        const left = live.filter((worker) => !worker.isDead())
        if (left.length === 0) return
        log.warn(`${left.length} worker(s) still running after graceful_shutdown_timeout: killing them`, {pids: left.map((worker) => worker.process.pid)})
        for (const worker of left) worker.process.kill('SIGKILL')
      }, graceful ? gracefulTimeoutMs + 1000 : 2000)
    }
    await Promise.all(exits)
    clearTimeout(timer)
    for (const slot of this.slots) if (slot.status.state !== 'errored') this.changed(slot, {state: 'stopped', pid: null})
    this.markStopped()
  }

  wait(): Promise<void> {
    return this.stopped
  }
}
