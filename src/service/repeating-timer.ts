/**
 * Runs a task every `intervalMs`, never overlapping itself: the next run is scheduled when the
 * previous one ends. Errors are the task's to handle; a rejected run does not stop the timer.
 * Built on setTimeout, which follows the monotonic clock, so wall-clock jumps do not stall it.
 */
export class RepeatingTimer {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private stopped = true

  constructor(
    private readonly task: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  /** Start; the first run comes after `initialDelayMs` (the interval by default). */
  start(initialDelayMs = this.intervalMs): void {
    this.stopped = false
    this.schedule(initialDelayMs)
  }

  /** Cancel the pending run at once; resolves when a run in progress has ended. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.running
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.running = this.task()
        .catch(() => {})
        .finally(() => {
          this.running = undefined
          this.schedule(this.intervalMs)
        })
    }, delayMs)
  }
}
