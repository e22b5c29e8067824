/**
 * A mutex for async code in one thread. Waiters get it in the order they asked (FIFO): a release
 * hands it straight to the next waiter, so nobody can barge in between.
 */
export class AsyncMutex {
  private locked = false
  private readonly waiters: Array<() => void> = []

  /** Free and nobody waiting: a map of mutexes may drop this one. */
  get idle(): boolean {
    return !this.locked && this.waiters.length === 0
  }

  /** Take it now if it is free and nobody waits; never waits. */
  tryLock(): boolean {
    if (this.locked || this.waiters.length > 0) return false
    this.locked = true
    return true
  }

  /** Wait for it; resolves to false when timeoutMs passes first (Infinity: no limit). */
  lock(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (this.tryLock()) return Promise.resolve(true)
    if (timeoutMs <= 0) return Promise.resolve(false)
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const grant = (): void => {
        clearTimeout(timer)
        resolve(true)
      }
      this.waiters.push(grant)
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(grant), 1)
          resolve(false)
        }, timeoutMs)
      }
    })
  }

  unlock(): void {
    const next = this.waiters.shift()
    if (next === undefined) this.locked = false
    else next()
  }
}
