import {describeError, StewardError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'

export interface PeriodicLoopOptions {
  /**
   * One round of work. It may resolve to the seconds until work is due again (the idle time of
   * PeriodicTaskRunner.runDue); the loop then sleeps min(interval, idle). A tick that throws is
   * logged and the loop sleeps the interval.
   */
  tick: () => Promise<number | void> | number | void
  /** Longest sleep between two ticks, in seconds. 0 disables the loop. */
  interval: number
  /**
   * Seconds before the first tick. The service gives a random value in [0, periodic_fuzzy_delay].
   * @default 0
   */
  initialDelay?: number
  logger: Pick<Logger, 'error'>
  /** What the loop does, for messages. @default 'periodic loop' */
  name?: string
}

// setTimeout turns longer delays into 1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Calls a tick after an initial delay, then again after each tick has finished and the next
 * sleep has passed (oslo's FixedIntervalLoopingCall, with the sleep shortened to the idle time).
 * Ticks never overlap. Timers are setTimeout, so wall-clock jumps do not move them.
 */
export class PeriodicLoop {
  private readonly options: PeriodicLoopOptions
  private timer: NodeJS.Timeout | undefined
  private current: Promise<void> | undefined
  private started = false
  private stopped = false

  /** @throws StewardError CONFIG_INVALID when interval or initialDelay is not a finite number ≥ 0. */
  constructor(options: PeriodicLoopOptions) {
    for (const [key, value] of [['interval', options.interval], ['initialDelay', options.initialDelay ?? 0]] as const) {
      if (!Number.isFinite(value) || value < 0) {
        throw new StewardError('CONFIG_INVALID', `${options.name ?? 'periodic loop'}: ${key} must be a finite number of seconds ≥ 0, not ${String(value)}`)
      }
    }
    this.options = options
  }

  /** False when the interval is 0, before start() and after stop(). */
  get active(): boolean {
    return this.started && !this.stopped && this.options.interval > 0
  }

  /** Schedule the first tick. A second call, or a call after stop(), does nothing. */
  start(): void {
    if (this.started || this.stopped) return
    this.started = true
    if (this.options.interval > 0) this.schedule(this.options.initialDelay ?? 0)
  }

  /**
   * Cancel the pending sleep at once; no tick starts after this. Resolves when a tick that is
   * running now has finished.
   */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.current
  }

  private schedule(seconds: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.current = this.runTick()
    }, Math.min(seconds * 1000, MAX_TIMER_MS))
  }

  private async runTick(): Promise<void> {
    let idle: number | void = undefined
    try {
      idle = await this.options.tick()
    } catch (error) {
      this.options.logger.error(`${this.options.name ?? 'periodic loop'} failed: ${describeError(error)}`, {error})
    }
    this.current = undefined
    if (this.stopped) return
    const interval = this.options.interval
    this.schedule(typeof idle === 'number' && idle >= 0 ? Math.min(interval, idle) : interval)
  }
}
