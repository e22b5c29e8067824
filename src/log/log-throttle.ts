/**
 * Lets one log line per key through each interval, for events a peer can repeat without end
 * (malformed messages, refused handshakes, failing casts). Its memory is bounded however many
 * keys come and go.
 */
export class LogThrottle {
  private readonly last = new Map<string, number>()

  constructor(
    private readonly everyMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** Whether to log this occurrence: the first under its key in the interval. */
  allow(key: string, now = Date.now()): boolean {
    if ((this.last.get(key) ?? Number.NEGATIVE_INFINITY) + this.everyMs > now) return false
    if (this.last.size >= this.maxKeys) this.last.clear()
    this.last.set(key, now)
    return true
  }
}
