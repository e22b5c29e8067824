/**
 * One read shared by the requests that wait for it, each still seeing the store as it was after it
 * arrived. Reading the state store reads and parses its file every time (other processes write
 * it); under load, the requests that arrive while a read is under way share the one read started
 * right after it, never the one under way (it may predate their arrival, and a client that just
 * changed something must see its change).
 */
export class FreshRead<T> {
  private current: Promise<T> | undefined
  private queued: Promise<T> | undefined

  constructor(private readonly read: () => Promise<T>) {}

  get(): Promise<T> {
    if (this.current === undefined) return this.start()
    this.queued ??= this.current.then(ignore, ignore).then(() => {
      this.queued = undefined
      return this.start()
    })
    return this.queued
  }

  private start(): Promise<T> {
    const reading = this.read()
    this.current = reading
    const done = (): void => {
      if (this.current === reading) this.current = undefined
    }
    reading.then(done, done)
    return reading
  }
}

function ignore(): void {}
