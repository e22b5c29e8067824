import type {LogRecord} from '../log/logger.js'

interface Waiter {
  matches: (record: LogRecord) => boolean
  resolve: (record: LogRecord) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

/** Promises of log records to come: a test awaits the line that says something happened. */
export class LogWaiters {
  private readonly waiting = new Set<Waiter>()

  wait(past: readonly LogRecord[], pattern: RegExp | string, timeoutMs: number): Promise<LogRecord> {
    const matches = (record: LogRecord): boolean => (typeof pattern === 'string' ? record.message.includes(pattern) : pattern.test(record.message))
    const seen = past.find(matches)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        matches,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiting.delete(waiter)
          const recent = past.slice(-5).map((record) => `  ${record.level} ${record.message}`)
          reject(new Error(`No log message matched ${String(pattern)} within ${timeoutMs} ms. The last ones:\n${recent.join('\n')}`))
        }, timeoutMs),
      }
      this.waiting.add(waiter)
    })
  }

  notify(record: LogRecord): void {
    for (const waiter of this.waiting) {
      if (!waiter.matches(record)) continue
      clearTimeout(waiter.timer)
      this.waiting.delete(waiter)
      waiter.resolve(record)
    }
  }

  cancel(reason: string): void {
    for (const waiter of this.waiting) {
      clearTimeout(waiter.timer)
      waiter.reject(new Error(reason))
    }
    this.waiting.clear()
  }
}
