/**
 * profiler_trace_rate_limit: at most `perSecond` new traces a second, a token bucket that holds a
 * second's worth (at least one), so a quiet host records every request and a busy one a steady
 * trickle. Taking costs a clock read; only new traces that the sample ratio kept ask.
 */
export class TraceBudget {
  private readonly capacity: number
  private tokens: number
  private last: number
  /** New traces let through, and refused, since the start. */
  granted = 0
  refused = 0

  constructor(
    /** 0 for no limit. */
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = Math.max(1, perSecond)
    this.tokens = this.capacity
    this.last = now()
  }

  /** Whether one more trace may start now. */
  take(): boolean {
    if (this.perSecond !== 0) {
      const now = this.now()
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.perSecond) / 1000)
      this.last = now
      if (this.tokens < 1) {
        this.refused++
        return false
      }
      this.tokens -= 1
    }
    this.granted++
    return true
  }
}
