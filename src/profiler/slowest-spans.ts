import type {SlowTrace} from './tracing.js'

/** How many spans a service keeps, and for how long: enough for a monitor's list, cheap to keep. */
const KEPT = 5
const WINDOW_MS = 10 * 60_000

/**
 * The slowest server spans of each service over the last ten minutes, kept as they end, so that a
 * host's telemetry snapshot can name them without reading any trace file.
 */
export class SlowestSpans {
  private readonly byService = new Map<string, SlowTrace[]>()

  add(key: string, span: SlowTrace): void {
    let list = this.byService.get(key)
    if (list === undefined) {
      list = []
      this.byService.set(key, list)
    }
    const last = list[list.length - 1]
    // The common case, a span faster than all kept ones, costs one comparison.
    if (list.length === KEPT && last !== undefined && last.durationMs >= span.durationMs && last.at >= span.at - WINDOW_MS) return
    this.prune(list, span.at)
    list.push(span)
    list.sort((a, b) => b.durationMs - a.durationMs)
    if (list.length > KEPT) list.length = KEPT
  }

  /** The kept spans of a service, slowest first. */
  list(key: string, now = Date.now()): SlowTrace[] {
    const list = this.byService.get(key)
    if (list === undefined) return []
    this.prune(list, now)
    return list.map((span) => ({...span}))
  }

  private prune(list: SlowTrace[], now: number): void {
    for (let index = list.length - 1; index >= 0; index--) if (list[index]!.at < now - WINDOW_MS) list.splice(index, 1)
  }
}
