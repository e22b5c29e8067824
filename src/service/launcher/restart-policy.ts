/** How a launcher respawns a worker that died (PM2's exp_backoff_restart_delay and max_restarts, made strict). */
export interface RestartPolicyOptions {
  /** A worker that dies before it is ready, or within this many ms of being ready, died unstable. */
  minUptimeMs: number
  /** Unstable exits in a row after which the slot is errored and no longer respawned. */
  maxRestarts: number
  /** @default 100 */
  initialDelayMs?: number
  /** @default 15000 */
  maxDelayMs?: number
}

export type RestartDecision = {kind: 'restart'; delayMs: number; unstableExits: number} | {kind: 'errored'; unstableExits: number}

/**
 * The respawn decisions of one worker slot. Unstable exits in a row double the delay (100 ms,
 * 200 ms … up to 15 s); a stable exit (the worker ran at least minUptime) restarts at once and
 * forgets the count. So a worker that crashes at start is tried maxRestarts + 1 times, then left
 * errored, rather than forked once a second forever (Manila's ProcessLauncher does that).
 */
export class RestartPolicy {
  private unstable = 0
  private readonly initialDelayMs: number
  private readonly maxDelayMs: number

  constructor(private readonly options: RestartPolicyOptions) {
    this.initialDelayMs = options.initialDelayMs ?? 100
    this.maxDelayMs = options.maxDelayMs ?? 15_000
  }

  /** A worker of the slot exited; readyForMs is how long it had been ready (undefined: never was). */
  exited(readyForMs: number | undefined): RestartDecision {
    const stable = readyForMs !== undefined && readyForMs >= this.options.minUptimeMs
    if (stable) {
      this.unstable = 0
      return {kind: 'restart', delayMs: 0, unstableExits: 0}
    }
    this.unstable++
    if (this.unstable > this.options.maxRestarts) return {kind: 'errored', unstableExits: this.unstable}
    return {kind: 'restart', delayMs: Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** (this.unstable - 1)), unstableExits: this.unstable}
  }

  /** A reload (SIGHUP) gives an errored slot a fresh start. */
  reset(): void {
    this.unstable = 0
  }
}
