import {useEffect, useLayoutEffect, useState} from 'react'
import type {MonitorModel} from '../../monitor/telemetry.js'
import type {MonitorSource} from '../monitor-source.js'

/** Repaint at most 10 times a second. */
export const DEFAULT_PAINT_INTERVAL_MS = 100

/**
 * With STEWARD_TUI_PAINT_TIMING=1 (benchmarks: bench/tui), each paint of a new model is recorded
 * as a User Timing measure of this name: from the start of the render of the component that uses
 * the model to the end of its commit, which includes Ink's layout, its rendering of the frame and
 * the write to the terminal (unless Ink's own throttle holds that write back). Read them with a
 * PerformanceObserver; they stay in the performance timeline until cleared.
 */
export const PAINT_MEASURE = 'steward:tui-paint'
const timingPaints = process.env.STEWARD_TUI_PAINT_TIMING === '1'

/**
 * The source's model, updated at most once per `intervalMs` however fast the source emits: the
 * first change after a quiet spell shows at once, later ones are folded into one update at the
 * end of the interval (the newest model wins, none is lost for good).
 */
export function useThrottledModel(source: MonitorSource, intervalMs = DEFAULT_PAINT_INTERVAL_MS): MonitorModel {
  const [model, setModel] = useState(() => source.current())
  const renderStarted = timingPaints ? performance.now() : 0
  // Layout effects run after Ink's commit hook (layout, render, write), in the same task.
  useLayoutEffect(() => {
    if (timingPaints) performance.measure(PAINT_MEASURE, {start: renderStarted})
  }, [model])
  useEffect(() => {
    let lastUpdate = Number.NEGATIVE_INFINITY
    let timer: NodeJS.Timeout | undefined
    let latest: MonitorModel | undefined
    const flush = () => {
      timer = undefined
      lastUpdate = Date.now()
      if (latest !== undefined) setModel(latest)
      latest = undefined
    }
    const unsubscribe = source.subscribe((next) => {
      latest = next
      if (timer !== undefined) return
      const wait = lastUpdate + intervalMs - Date.now()
      if (wait <= 0) flush()
      else timer = setTimeout(flush, wait)
    })
    // A change between the first render and the subscription would otherwise wait for the next.
    setModel(source.current())
    return () => {
      unsubscribe()
      clearTimeout(timer)
    }
  }, [source, intervalMs])
  return model
}
