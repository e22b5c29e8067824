import {describeError, StewardError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'
import {readPeriodicTasks, type PeriodicTask, type PeriodicTaskDeclarations} from './periodic-task-declarations.js'

export type {PeriodicTaskDeclarations, PeriodicTaskOptions} from './periodic-task-declarations.js'

/** The second argument of every periodic task method. */
export interface PeriodicTaskRun {
  /** Aborted when the runner stops without waiting for the task (or gives up waiting). */
  signal: AbortSignal
}

/** What status() reports per task, for monitors. Times are milliseconds. */
export interface PeriodicTaskStatus {
  name: string
  /** The method that runs. */
  method: string
  /** Seconds, after defaults. */
  spacing: number
  enabled: boolean
  running: boolean
  /** Wall-clock epoch milliseconds when the latest run started; null before the first. */
  lastStartedAt: number | null
  /** How long the latest finished run took; null before the first finishes. */
  lastDurationMs: number | null
  /** The message of the latest finished run's error; null when it succeeded. */
  lastError: string | null
  /** Milliseconds until the task is due; 0 or less when due (overdue while running); null when disabled. */
  nextDueInMs: number | null
  /** Finished runs. */
  runs: number
  /** Finished runs that threw. */
  failures: number
  /** How long the finished runs took, together (Prometheus' steward_periodic_task_duration_seconds_total). */
  totalDurationMs: number
}

/** A monotonic clock in milliseconds. `performance` is one. */
export interface MonotonicClock {
  now(): number
}

export interface PeriodicTaskRunnerOptions {
  /** The object whose methods the declarations name (a manager). */
  target: object
  declarations: PeriodicTaskDeclarations
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>
  /** @default performance */
  clock?: MonotonicClock
  /** Returns a number in [0, 1), for jitter. @default Math.random */
  random?: () => number
  /** The class name in messages. @default the target's constructor name */
  ownerName?: string
}

export interface RunDueOptions {
  /**
   * Wait for the tasks this call starts and throw PERIODIC_TASK_FAILED when any of them fails.
   * @default false
   */
  raiseOnError?: boolean
}

export interface StopOptions {
  /** Wait for running tasks; otherwise abort their signal and return at once. @default true */
  graceful?: boolean
  /** How long a graceful stop waits; 0 or Infinity waits forever. @default 60000 */
  timeoutMs?: number
}

/** The longest idle time runDue returns, in seconds (oslo's DEFAULT_INTERVAL). */
export const MAX_IDLE_SECONDS = 60

interface TaskState extends PeriodicTask {
  /** The schedule anchor on the clock: due at lastRun + spacing. Undefined until a runImmediately task first runs. */
  lastRun: number | undefined
  /** Settles (never rejects) when the current run has finished and been recorded. */
  running: Promise<RunResult> | undefined
  startedAt: number
  lastStartedAt: number | null
  lastDurationMs: number | null
  lastError: string | null
  runs: number
  failures: number
  totalDurationMs: number
}

type RunResult = {ok: true} | {ok: false; error: unknown}

/**
 * Runs a target's periodic tasks (oslo.service's PeriodicTasks). It owns no timer: a loop calls
 * {@link runDue} and sleeps for the idle time it returns. Tasks run concurrently with each other;
 * a task never runs twice at once.
 */
export class PeriodicTaskRunner<C = unknown> {
  readonly ownerName: string
  private readonly target: object
  private readonly tasks: TaskState[]
  private readonly logger: PeriodicTaskRunnerOptions['logger']
  private readonly clock: MonotonicClock
  private readonly random: () => number
  private readonly abort = new AbortController()
  private stopped = false

  /** @throws StewardError PERIODIC_TASK_INVALID when a declaration is wrong. */
  constructor(options: PeriodicTaskRunnerOptions) {
    this.target = options.target
    this.ownerName = options.ownerName ?? (options.target.constructor?.name || 'anonymous')
    this.logger = options.logger
    this.clock = options.clock ?? performance
    this.random = options.random ?? Math.random
    const createdAt = this.clock.now()
    this.tasks = readPeriodicTasks(options.target, options.declarations, this.ownerName).map((task) => ({
      ...task,
      lastRun: task.runImmediately ? undefined : createdAt,
      running: undefined,
      startedAt: 0,
      lastStartedAt: null,
      lastDurationMs: null,
      lastError: null,
      runs: 0,
      failures: 0,
      totalDurationMs: 0,
    }))
    for (const task of this.tasks) {
      if (!task.enabled) this.logger.debug(`periodic task ${task.name} of ${this.ownerName} is disabled`, {task: task.name})
    }
  }

  /**
   * Start every enabled task that is due and not running (Manila's `periodic_tasks(ctx,
   * raise_on_error)`), and return the seconds until the next one is due, at most 60.
   * Without raiseOnError it does not wait for the tasks: their failures are logged.
   */
  async runDue(ctx: C, options: RunDueOptions = {}): Promise<number> {
    const started: Array<{task: TaskState; result: Promise<RunResult>}> = []
    const now = this.clock.now()
    for (const task of this.tasks) {
      if (this.stopped || !task.enabled || !this.isDue(task, now)) continue
      if (task.running === undefined) {
        started.push({task, result: this.start(task, ctx, now)})
      } else {
        this.logger.debug(`periodic task ${task.name} of ${this.ownerName} is still running; it runs again when it finishes`, {task: task.name})
      }
    }
    if (options.raiseOnError === true && started.length > 0) {
      const failed: Array<{task: TaskState; error: unknown}> = []
      for (const {task, result} of started) {
        const outcome = await result
        if (!outcome.ok) failed.push({task, error: outcome.error})
      }
      const first = failed[0]
      if (first !== undefined) {
        const names = failed.map(({task}) => task.name)
        const more = failed.length > 1 ? ` (and ${names.slice(1).join(', ')})` : ''
        throw new StewardError('PERIODIC_TASK_FAILED', `periodic task ${first.task.name} of ${this.ownerName} failed: ${describeError(first.error)}${more}`, {
          cause: first.error,
          data: {class: this.ownerName, tasks: names},
        })
      }
    }
    return this.idleSeconds(this.clock.now())
  }

  status(): PeriodicTaskStatus[] {
    const now = this.clock.now()
    return this.tasks.map((task) => ({
      name: task.name,
      method: task.method,
      spacing: task.spacingMs / 1000,
      enabled: task.enabled,
      running: task.running !== undefined,
      lastStartedAt: task.lastStartedAt,
      lastDurationMs: task.lastDurationMs,
      lastError: task.lastError,
      nextDueInMs: task.enabled ? (task.lastRun === undefined ? 0 : task.lastRun + task.spacingMs - now) : null,
      runs: task.runs,
      failures: task.failures,
      totalDurationMs: task.totalDurationMs,
    }))
  }

  /**
   * Start no more runs. A graceful stop waits for the running ones up to the timeout; whatever is
   * still running then (or at once, when not graceful) sees its signal aborted.
   * Resolves to whether no task was left running.
   */
  async stop(options: StopOptions = {}): Promise<boolean> {
    this.stopped = true
    const running = this.tasks.flatMap((task) => (task.running === undefined ? [] : [task.running]))
    if (running.length === 0) return true
    const finished = options.graceful === false ? false : await settlesWithin(Promise.all(running), options.timeoutMs ?? 60_000)
    if (!finished) {
      const names = this.tasks.filter((task) => task.running !== undefined).map((task) => task.name)
      this.logger.warn(`stopping periodic tasks of ${this.ownerName} without waiting for ${names.join(', ')}`, {tasks: names})
      this.abort.abort()
    }
    return finished
  }

  private isDue(task: TaskState, now: number): boolean {
    return task.lastRun === undefined || task.lastRun + task.spacingMs <= now
  }

  private start(task: TaskState, ctx: C, now: number): Promise<RunResult> {
    // Keep the schedule on its grid when a tick comes late, then add oslo's 0–5 % jitter so
    // hosts drift apart.
    task.lastRun = task.lastRun === undefined ? now : now - ((now - task.lastRun) % task.spacingMs) + this.jitterMs(task.spacingMs)
    task.startedAt = now
    task.lastStartedAt = Date.now()
    this.logger.debug(`running periodic task ${task.name} of ${this.ownerName}`, {task: task.name})
    const run = this.invoke(task, ctx).then((result) => {
      this.finish(task, ctx, result)
      return result
    })
    task.running = run
    return run
  }

  private async invoke(task: TaskState, ctx: C): Promise<RunResult> {
    try {
      const method = (this.target as Record<string, (ctx: C, run: PeriodicTaskRun) => unknown>)[task.method]!
      await method.call(this.target, ctx, {signal: this.abort.signal})
      return {ok: true}
    } catch (error) {
      return {ok: false, error}
    }
  }

  private finish(task: TaskState, ctx: C, result: RunResult): void {
    const now = this.clock.now()
    task.running = undefined
    task.lastDurationMs = now - task.startedAt
    task.totalDurationMs += task.lastDurationMs
    task.runs += 1
    try {
      if (result.ok) {
        task.lastError = null
      } else {
        task.failures += 1
        task.lastError = describeError(result.error)
        this.logger.error(`periodic task ${task.name} of ${this.ownerName} failed: ${task.lastError}`, {task: task.name, error: result.error})
      }
      // It became due while it ran: run it again now, once, never stacked. A run can also end up
      // due without outlasting its spacing (it started late on its grid); only an overrun warns.
      if (!this.stopped && this.isDue(task, now)) {
        const overSeconds = (task.lastDurationMs - task.spacingMs) / 1000
        if (overSeconds > 0) {
          this.logger.warn(`periodic task ${task.name} of ${this.ownerName} outlasted its spacing by ${overSeconds.toFixed(1)} s`, {
            task: task.name,
            spacing: task.spacingMs / 1000,
            durationMs: task.lastDurationMs,
          })
        }
        void this.start(task, ctx, now)
      }
    } catch {
      // A logger that throws must not turn into an unhandled rejection that ends the process.
    }
  }

  private jitterMs(spacingMs: number): number {
    const spacing = spacingMs / 1000
    return spacing >= 20 ? Math.floor((spacing * this.random()) / 20) * 1000 : 0
  }

  private idleSeconds(now: number): number {
    let idleMs = MAX_IDLE_SECONDS * 1000
    for (const task of this.tasks) {
      if (!task.enabled) continue
      const remaining = task.lastRun === undefined ? 0 : task.lastRun + task.spacingMs - now
      // A running task that is overdue restarts itself when it finishes; waking every spacing
      // meanwhile keeps the loop near its grid without spinning.
      const wait = task.running === undefined ? Math.max(0, remaining) : remaining > 0 ? remaining : task.spacingMs
      idleMs = Math.min(idleMs, wait)
    }
    return idleMs / 1000
  }
}

/** Whether the promise settles within timeoutMs (0 or Infinity: waits for it). */
async function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  if (timeoutMs === 0 || timeoutMs === Number.POSITIVE_INFINITY) {
    await promise
    return true
  }
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs)
  })
  try {
    return await Promise.race([promise.then(() => true as const), timedOut])
  } finally {
    clearTimeout(timer)
  }
}
