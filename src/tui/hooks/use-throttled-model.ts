import {useEffect, useLayoutEffect, useRef, useState} from 'react'
import type {MonitorModel} from '../../monitor/telemetry.js'
import type {MonitorSource} from '../monitor-source.js'

/** Repaint at most 10 times a second. */
export const DEFAULT_PAINT_INTERVAL_MS = 100

/**
 * With STEWARD_TUI_PAINT_TIMING=1 (benchmarks: bench/tui), each paint of a new model is recorded
 * as a User Timing measure of this name: from the start of the render of the component that uses
 * the model to the end of its commit, which includes Ink's layout, its rendering of the frame and
 * the write to the terminal (unless Ink's own throttle holds that write back); its `detail.cpuMs`
 * is the process's CPU time over the same span (all threads, but the others are mostly idle),
 * which, unlike the span, does not grow while the process waits for a core. Read them with a
 * PerformanceObserver; they stay in the performance timeline until cleared.
 */
export const PAINT_MEASURE = 'steward:tui-paint'
const timingPaints = process.env.STEWARD_TUI_PAINT_TIMING === '1'

/**
 * The source's model, updated at most once per `intervalMs` however fast the source emits: the
 * first change after a quiet spell shows at once, later ones are folded into one update at the
 * end of the interval (the newest model wins, none is lost for good).
 *
 * `changesScreen(shown, next)`, when given, tells whether `next` would draw differently from the
 * model on screen; a model that would not is not painted (nor does it start an interval), but the
 * next render, whatever causes it, draws the newest model.
 */
export function useThrottledModel(
  source: MonitorSource,
  intervalMs = DEFAULT_PAINT_INTERVAL_MS,
  changesScreen?: (shown: MonitorModel, next: MonitorModel) => boolean,
): MonitorModel {
  const [model, setModel] = useState(() => source.current())
  const newest = useRef(model)
  const shown = useRef(model)
  const changes = useRef(changesScreen)
  changes.current = changesScreen
  const renderStarted = timingPaints ? performance.now() : 0
  const cpuStarted = timingPaints ? process.cpuUsage() : undefined
  // Layout effects run after Ink's commit hook (layout, render, write), in the same task.
  useLayoutEffect(() => {
    if (!timingPaints) return
    const cpu = process.cpuUsage(cpuStarted)
    performance.measure(PAINT_MEASURE, {start: renderStarted, detail: {cpuMs: (cpu.user + cpu.system) / 1000}})
  }, [model])
  useEffect(() => {
    let lastUpdate = Number.NEGATIVE_INFINITY
    let timer: NodeJS.Timeout | undefined
    let latest: MonitorModel | undefined
    const paint = (next: MonitorModel) => {
      newest.current = next
      shown.current = next
      setModel(next)
    }
    const flush = () => {
      timer = undefined
      const next = latest
      latest = undefined
      if (next === undefined) return
      newest.current = next
      if (changes.current?.(shown.current, next) === false) return
      lastUpdate = Date.now()
      paint(next)
    }
    const unsubscribe = source.subscribe((next) => {
      latest = next
      if (timer !== undefined) return
      const wait = lastUpdate + intervalMs - Date.now()
      if (wait <= 0) flush()
      else timer = setTimeout(flush, wait)
    })
    // A change between the first render and the subscription would otherwise wait for the next.
    paint(source.current())
    return () => {
      unsubscribe()
      clearTimeout(timer)
    }
  }, [source, intervalMs])
  return newest.current
}
