import type {PerformanceMeasure} from 'node:perf_hooks'
import {Text} from 'ink'
import {cleanup, render} from 'ink-testing-library'
import {afterEach, beforeEach, expect, test, vi} from 'vitest'
import {FakeSource, twoHostModel} from '../../../test/helpers/monitor-model.js'
import type {MonitorSource} from '../monitor-source.js'
import {PAINT_MEASURE, useThrottledModel} from './use-throttled-model.js'

// Only the throttle's clock is fake: React and Ink schedule their work with setImmediate.
beforeEach(() => {
  vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout', 'Date']})
})
afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

function Probe({source, painted}: {source: MonitorSource; painted: string[]}) {
  const model = useThrottledModel(source, 100)
  painted.push(model.at)
  return <Text>model {model.at}</Text>
}

const modelAt = (at: string) => twoHostModel({at})

/** Move the fake clock, then let React render what that caused. */
async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms)
  await new Promise((resolve) => setImmediate(resolve))
}

test('a source emitting every millisecond for a second paints at most 10 times (+ the first), and ends on the newest', async () => {
  const source = new FakeSource(modelAt('start'))
  const painted: string[] = []
  const {frames, lastFrame} = render(<Probe source={source} painted={painted} />)
  await advance(0)
  const [rendersBefore, framesBefore] = [painted.length, frames.length]
  for (let index = 1; index <= 1000; index++) {
    source.emit(modelAt(String(index)))
    await advance(1)
  }
  await advance(100)
  const renders = painted.length - rendersBefore
  expect(renders).toBeGreaterThanOrEqual(9)
  expect(renders).toBeLessThanOrEqual(11)
  expect(frames.length - framesBefore).toBeLessThanOrEqual(11)
  expect(painted.at(-1)).toBe('1000')
  expect(lastFrame()).toBe('model 1000')
})

test('the first change after a quiet spell paints at once; a burst right after waits for the interval', async () => {
  const source = new FakeSource(modelAt('start'))
  const painted: string[] = []
  const {lastFrame} = render(<Probe source={source} painted={painted} />)
  await advance(500)
  source.emit(modelAt('a'))
  // React renders on its own schedule (a macrotask): 1 ms, not the 100 ms interval.
  await advance(1)
  expect(lastFrame()).toBe('model a')
  source.emit(modelAt('b'))
  source.emit(modelAt('c'))
  await advance(50)
  expect(lastFrame()).toBe('model a')
  await advance(50)
  expect(lastFrame()).toBe('model c')
  // b never painted: folded into c.
  expect(painted).not.toContain('b')
})

test('unsubscribes and drops a pending paint when unmounted', async () => {
  const source = new FakeSource(modelAt('start'))
  const painted: string[] = []
  const {unmount} = render(<Probe source={source} painted={painted} />)
  await advance(0)
  source.emit(modelAt('a'))
  source.emit(modelAt('b'))
  unmount()
  expect(source.subscribers).toBe(0)
  await advance(200)
  expect(painted).not.toContain('b')
})

test('a model that changes nothing on screen is not painted, and the next render shows the newest', async () => {
  const source = new FakeSource(modelAt('start'))
  const painted: string[] = []
  let quiet = true
  function Judged({tick}: {tick: number}) {
    const model = useThrottledModel(source, 100, (shown, next) => !quiet || !next.at.startsWith(shown.at.slice(0, 5)))
    painted.push(model.at)
    return (
      <Text>
        model {model.at} {tick}
      </Text>
    )
  }
  const {lastFrame, rerender} = render(<Judged tick={0} />)
  await advance(0)
  const renders = painted.length
  // Same first five characters as 'start': nothing to paint.
  source.emit(modelAt('start, with news'))
  await advance(200)
  expect(painted.length).toBe(renders)
  expect(lastFrame()).toBe('model start 0')
  // Another cause of a render draws the newest model.
  rerender(<Judged tick={1} />)
  await advance(0)
  expect(lastFrame()).toBe('model start, with news 1')
  quiet = false
  source.emit(modelAt('other'))
  await advance(1)
  expect(lastFrame()).toBe('model other 1')
})

test('records no paint timing unless STEWARD_TUI_PAINT_TIMING=1, and then one measure per model painted', async () => {
  const painted: string[] = []
  const untimed = new FakeSource(modelAt('start'))
  render(<Probe source={untimed} painted={painted} />)
  await advance(0)
  untimed.emit(modelAt('a'))
  await advance(200)
  expect(performance.getEntriesByName(PAINT_MEASURE)).toEqual([])
  cleanup()

  vi.stubEnv('STEWARD_TUI_PAINT_TIMING', '1')
  vi.resetModules()
  try {
    const timed = await import('./use-throttled-model.js')
    function TimedProbe({source}: {source: MonitorSource}) {
      return <Text>model {timed.useThrottledModel(source, 100).at}</Text>
    }
    const source = new FakeSource(modelAt('start'))
    const {lastFrame} = render(<TimedProbe source={source} />)
    await advance(0)
    const before = performance.getEntriesByName(PAINT_MEASURE).length
    for (const at of ['a', 'b', 'c']) {
      source.emit(modelAt(at))
      await advance(200)
    }
    expect(lastFrame()).toBe('model c')
    const measures = performance.getEntriesByName(PAINT_MEASURE).slice(before)
    expect(measures).toHaveLength(3)
    for (const measure of measures) {
      expect(measure.duration).toBeGreaterThanOrEqual(0)
      expect(((measure as PerformanceMeasure).detail as {cpuMs: number}).cpuMs).toBeGreaterThanOrEqual(0)
    }
  } finally {
    performance.clearMeasures(PAINT_MEASURE)
    vi.unstubAllEnvs()
  }
})
