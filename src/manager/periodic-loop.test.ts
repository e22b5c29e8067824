import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {isStewardError} from '../errors/index.js'
import {PeriodicLoop} from './periodic-loop.js'
import {PeriodicTaskRunner} from './periodic-tasks.js'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

function quietLogger() {
  return {debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn()}
}

beforeEach(() => {
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('PeriodicLoop', () => {
  it('ticks first after the initial delay, then after min(interval, idle)', async () => {
    const at: number[] = []
    const idle = [10, 100, 0.5]
    const loop = new PeriodicLoop({interval: 60, initialDelay: 7, logger: quietLogger(), tick: () => {
        at.push(performance.now())
        return idle.shift()
      },
    })
    const start = performance.now()
    loop.start()
    await vi.advanceTimersByTimeAsync(6_999)
    expect(at).toEqual([])
    await vi.advanceTimersByTimeAsync(200_000)
    expect(at.slice(0, 5).map((time) => time - start)).toEqual([7_000, 17_000, 77_000, 77_500, 137_500])
    await loop.stop()
  })

  it('does nothing with an interval of 0', async () => {
    const tick = vi.fn()
    const loop = new PeriodicLoop({interval: 0, logger: quietLogger(), tick})
    loop.start()
    expect(loop.active).toBe(false)
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(tick).not.toHaveBeenCalled()
  })

  it('never starts a tick before the previous one has finished', async () => {
    let active = 0
    let maxActive = 0
    const starts: number[] = []
    const loop = new PeriodicLoop({
      interval: 60,
      logger: quietLogger(),
      tick: async () => {
        starts.push(performance.now())
        active += 1
        maxActive = Math.max(maxActive, active)
        await sleep(150_000)
        active -= 1
      },
    })
    const start = performance.now()
    loop.start()
    await vi.advanceTimersByTimeAsync(500_000)
    expect(maxActive).toBe(1)
    expect(starts.map((time) => time - start)).toEqual([0, 210_000, 420_000])
    await vi.advanceTimersByTimeAsync(100_000)
    await loop.stop()
  })

  it('stop() cancels a long sleep at once', async () => {
    const tick = vi.fn(() => 1_800)
    const loop = new PeriodicLoop({interval: 1_800, logger: quietLogger(), tick})
    loop.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(tick).toHaveBeenCalledTimes(1)
    expect(vi.getTimerCount()).toBe(1)
    await loop.stop()
    expect(vi.getTimerCount()).toBe(0)
    expect(loop.active).toBe(false)
    await vi.advanceTimersByTimeAsync(10_000_000)
    expect(tick).toHaveBeenCalledTimes(1)
  })

  it('stop() during a tick resolves when it ends and schedules nothing after it', async () => {
    const tick = vi.fn(() => sleep(5_000))
    const loop = new PeriodicLoop({interval: 1, logger: quietLogger(), tick})
    loop.start()
    await vi.advanceTimersByTimeAsync(1)
    let stopped = false
    const stopping = loop.stop().then(() => (stopped = true))
    await vi.advanceTimersByTimeAsync(4_000)
    expect(stopped).toBe(false)
    await vi.advanceTimersByTimeAsync(1_000)
    await stopping
    expect(vi.getTimerCount()).toBe(0)
    expect(tick).toHaveBeenCalledTimes(1)
  })

  it('logs a tick that throws and keeps ticking every interval', async () => {
    const logger = quietLogger()
    const tick = vi.fn(() => {
      throw new Error('store down')
    })
    const loop = new PeriodicLoop({interval: 30, logger, tick, name: 'periodic tasks of steward-share'})
    loop.start()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(tick).toHaveBeenCalledTimes(3)
    expect(logger.error).toHaveBeenCalledWith('periodic tasks of steward-share failed: store down', {error: expect.any(Error)})
    await loop.stop()
  })

  it.each([
    {interval: -1, initialDelay: 0},
    {interval: Number.NaN, initialDelay: 0},
    {interval: 60, initialDelay: Number.POSITIVE_INFINITY},
  ])('rejects interval $interval with initial delay $initialDelay', (timing) => {
    let caught: unknown
    try {
      new PeriodicLoop({...timing, logger: quietLogger(), tick: () => {}})
    } catch (error) {
      caught = error
    }
    expect(isStewardError(caught, 'CONFIG_INVALID')).toBe(true)
    expect((caught as Error).message).toMatch(/must be a finite number of seconds ≥ 0/)
  })
})

describe('PeriodicLoop driving a PeriodicTaskRunner', () => {
  it('ACCEPTANCE: a slow task never runs twice at once; each overrun is reported and run again, not stacked', async () => {
    let active = 0
    let maxActive = 0
    const starts: number[] = []
    const target = {
      async slow() {
        starts.push(performance.now())
        active += 1
        maxActive = Math.max(maxActive, active)
        // The first two runs take 25 s for a spacing of 10 s; later runs are quick.
        if (starts.length <= 2) await sleep(25_000)
        active -= 1
      },
    }
    const logger = quietLogger()
    const runner = new PeriodicTaskRunner<string>({target, declarations: {slow: {spacing: 10, runImmediately: true}}, logger})
    const loop = new PeriodicLoop({interval: 60, logger, tick: () => runner.runDue('ctx')})
    const origin = performance.now()
    loop.start()
    await vi.advanceTimersByTimeAsync(80_000)
    await loop.stop()
    await runner.stop()

    expect(maxActive).toBe(1)
    expect(starts.map((time) => (time - origin) / 1000)).toEqual([0, 25, 50, 60, 70, 80])
    expect(logger.warn.mock.calls.map(([message]) => message as string)).toEqual([
      'periodic task slow of Object outlasted its spacing by 15.0 s',
      'periodic task slow of Object outlasted its spacing by 15.0 s',
    ])
    expect(runner.status()[0]).toMatchObject({runs: 6, failures: 0, running: false})
  })
})
