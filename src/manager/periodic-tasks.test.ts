import {describe, expect, it} from 'vitest'
import {isStewardError} from '../errors/index.js'
import {PeriodicTaskRunner, type PeriodicTaskDeclarations, type PeriodicTaskRun} from './periodic-tasks.js'

type Level = 'debug' | 'info' | 'warn' | 'error'

function recordingLogger() {
  const lines: Array<{level: Level; message: string; fields: Record<string, unknown> | undefined}> = []
  const log = (level: Level) => (message: string, fields?: Record<string, unknown>) => void lines.push({level, message, fields})
  return {lines, logger: {debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error')}, at: (level: Level) => lines.filter((line) => line.level === level).map((line) => line.message)}
}

/** A clock the test moves by hand, in milliseconds. */
function manualClock(start = 1_000) {
  return {
    ms: start,
    now() {
      return this.ms
    },
    advance(seconds: number) {
      this.ms += seconds * 1000
    },
  }
}

function deferred() {
  let resolve!: () => void
  let reject!: (error: unknown) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return {promise, resolve, reject}
}

/** Let settled task promises run their continuations. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

function runnerFor(target: object, declarations: PeriodicTaskDeclarations, random = () => 0) {
  const clock = manualClock()
  const log = recordingLogger()
  const runner = new PeriodicTaskRunner<string>({target, declarations, logger: log.logger, clock, random})
  return {runner, clock, log}
}

class Counting {
  calls: Record<string, number> = {}
  count(name: string) {
    this.calls[name] = (this.calls[name] ?? 0) + 1
  }
  fast() {
    this.count('fast')
  }
  slow() {
    this.count('slow')
  }
  never() {
    this.count('never')
  }
}

function expectInvalid(build: () => unknown, ...fragments: string[]) {
  try {
    build()
  } catch (error) {
    expect(isStewardError(error, 'PERIODIC_TASK_INVALID')).toBe(true)
    for (const fragment of fragments) expect((error as Error).message).toContain(fragment)
    return error
  }
  throw new Error('expected PERIODIC_TASK_INVALID')
}

describe('PeriodicTaskRunner declarations', () => {
  it('rejects a declaration that names no method, naming the task and the class', () => {
    const error = expectInvalid(() => runnerFor(new Counting(), {smaple: {spacing: 10}}), 'smaple', 'Counting')
    expect((error as {data: unknown}).data).toEqual({class: 'Counting', task: 'smaple'})
  })

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '10'])('rejects spacing %s', (spacing) => {
    expectInvalid(() => runnerFor(new Counting(), {fast: {spacing: spacing as number}}), 'fast', 'Counting', 'spacing')
  })

  it('rejects an unknown option and suggests the one meant', () => {
    const error = expectInvalid(() => runnerFor(new Counting(), {fast: {runImmediatly: true} as never}), 'runImmediatly')
    expect((error as {suggestions: string[]}).suggestions).toEqual(['Did you mean runImmediately?'])
  })

  it('rejects non-boolean flags and names used twice', () => {
    expectInvalid(() => runnerFor(new Counting(), {fast: {enabled: 'no' as never}}), 'enabled')
    expectInvalid(() => runnerFor(new Counting(), {fast: {name: 'x'}, slow: {name: 'x'}}), 'slow', 'x')
  })

  it('reads spacing 0 or missing as 60 s and names a task after its method unless named', () => {
    const {runner} = runnerFor(new Counting(), {fast: {}, slow: {spacing: 0, name: 'slowpoke'}, never: {spacing: 2.5}})
    expect(runner.status().map(({name, method, spacing}) => ({name, method, spacing}))).toEqual([
      {name: 'fast', method: 'fast', spacing: 60},
      {name: 'slowpoke', method: 'slow', spacing: 60},
      {name: 'never', method: 'never', spacing: 2.5},
    ])
  })
})

describe('PeriodicTaskRunner scheduling', () => {
  it('runs a task one spacing after the runner was created, then every spacing', async () => {
    const target = new Counting()
    const {runner, clock} = runnerFor(target, {fast: {spacing: 10}})
    expect(await runner.runDue('ctx')).toBe(10)
    expect(target.calls.fast).toBeUndefined()
    clock.advance(9.999)
    expect(await runner.runDue('ctx')).toBeCloseTo(0.001)
    clock.advance(0.001)
    expect(await runner.runDue('ctx')).toBe(10)
    expect(target.calls.fast).toBe(1)
    clock.advance(10)
    await runner.runDue('ctx')
    expect(target.calls.fast).toBe(2)
  })

  it('runs a runImmediately task at the first call and counts its spacing from then', async () => {
    const target = new Counting()
    const {runner, clock} = runnerFor(target, {fast: {spacing: 10, runImmediately: true}})
    clock.advance(7)
    expect(await runner.runDue('ctx')).toBe(10)
    expect(target.calls.fast).toBe(1)
    clock.advance(9)
    await runner.runDue('ctx')
    expect(target.calls.fast).toBe(1)
    clock.advance(1)
    await runner.runDue('ctx')
    expect(target.calls.fast).toBe(2)
  })

  it('never runs a disabled task and logs it once at debug', async () => {
    const target = new Counting()
    const {runner, clock, log} = runnerFor(target, {never: {spacing: 1, runImmediately: true, enabled: false}})
    for (let i = 0; i < 5; i++) {
      expect(await runner.runDue('ctx')).toBe(60)
      clock.advance(1)
    }
    expect(target.calls.never).toBeUndefined()
    expect(log.at('debug')).toEqual(['periodic task never of Counting is disabled'])
    expect(runner.status()[0]).toMatchObject({enabled: false, nextDueInMs: null, runs: 0})
  })

  it('returns the idle time until the next task is due, at most 60 s', async () => {
    const {runner, clock} = runnerFor(new Counting(), {fast: {spacing: 25}, slow: {spacing: 3600}})
    expect(await runner.runDue('ctx')).toBe(25)
    clock.advance(20)
    expect(await runner.runDue('ctx')).toBe(5)
    const {runner: hourly} = runnerFor(new Counting(), {slow: {spacing: 3600}})
    expect(await hourly.runDue('ctx')).toBe(60)
    const {runner: empty} = runnerFor(new Counting(), {})
    expect(await empty.runDue('ctx')).toBe(60)
  })

  it('keeps a late tick on the spacing grid', async () => {
    const target = new Counting()
    const {runner, clock} = runnerFor(target, {fast: {spacing: 10}})
    clock.advance(15)
    expect(await runner.runDue('ctx')).toBe(5)
    expect(runner.status()[0]?.nextDueInMs).toBe(5_000)
  })

  it('adds jitter of 0–5 % of spacings of 20 s and more, in whole seconds, and none below', async () => {
    for (const random of [0, 0.25, 0.5, 0.999_999]) {
      const {runner, clock} = runnerFor(new Counting(), {fast: {spacing: 100}, slow: {spacing: 19.9}}, () => random)
      clock.advance(100)
      await runner.runDue('ctx')
      const [fast, slow] = runner.status()
      expect(fast!.nextDueInMs).toBe(100_000 + Math.floor((100 * random) / 20) * 1000)
      expect(fast!.nextDueInMs).toBeGreaterThanOrEqual(100_000)
      expect(fast!.nextDueInMs).toBeLessThan(105_000)
      // 100 s is 5 spacings and 0.5 s: the next start stays on the grid, with no jitter.
      expect(slow!.nextDueInMs).toBeCloseTo(19_400, 3)
    }
  })
})

describe('PeriodicTaskRunner failures', () => {
  it('ACCEPTANCE: a periodic task that throws does not stop the other tasks or later runs', async () => {
    const calls: string[] = []
    const target = {
      throws() {
        calls.push('throws')
        throw new Error('sync boom')
      },
      async rejects() {
        calls.push('rejects')
        await Promise.resolve()
        throw new Error('async boom')
      },
      fine() {
        calls.push('fine')
      },
    }
    const {runner, clock, log} = runnerFor(target, {throws: {spacing: 5, runImmediately: true}, rejects: {spacing: 5, runImmediately: true}, fine: {spacing: 5, runImmediately: true}})
    for (let round = 0; round < 3; round++) {
      await runner.runDue('ctx')
      await flush()
      clock.advance(5)
    }
    expect(calls).toEqual(Array.from({length: 3}, () => ['throws', 'rejects', 'fine']).flat())
    expect(log.at('error')).toEqual(
      Array.from({length: 3}, () => ['periodic task throws of Object failed: sync boom', 'periodic task rejects of Object failed: async boom']).flat(),
    )
    expect(log.lines.find((line) => line.level === 'error')?.fields?.error).toBeInstanceOf(Error)
    expect(runner.status().map(({name, runs, failures, lastError}) => ({name, runs, failures, lastError}))).toEqual([
      {name: 'throws', runs: 3, failures: 3, lastError: 'sync boom'},
      {name: 'rejects', runs: 3, failures: 3, lastError: 'async boom'},
      {name: 'fine', runs: 3, failures: 0, lastError: null},
    ])
  })

  it('with raiseOnError waits for every task it started, then throws PERIODIC_TASK_FAILED with the first error', async () => {
    const slow = deferred()
    const settled: string[] = []
    const target = {
      async first() {
        throw new Error('first failure')
      },
      async second() {
        await slow.promise
        settled.push('second')
        throw new Error('second failure')
      },
      async third() {
        await slow.promise
        settled.push('third')
      },
    }
    const {runner} = runnerFor(target, {first: {runImmediately: true}, second: {runImmediately: true}, third: {runImmediately: true}})
    const result = runner.runDue('ctx', {raiseOnError: true})
    let rejected = false
    result.catch(() => (rejected = true))
    await flush()
    expect(rejected).toBe(false)
    slow.resolve()
    const error = await result.catch((caught: unknown) => caught)
    expect(settled).toEqual(['second', 'third'])
    expect(isStewardError(error, 'PERIODIC_TASK_FAILED')).toBe(true)
    expect((error as Error).message).toBe('periodic task first of Object failed: first failure (and second)')
    expect(((error as Error).cause as Error).message).toBe('first failure')
    expect(runner.status().every((task) => !task.running)).toBe(true)
  })

  it('with raiseOnError resolves to the idle time when every task succeeds', async () => {
    const {runner} = runnerFor(new Counting(), {fast: {spacing: 10, runImmediately: true}})
    await expect(runner.runDue('ctx', {raiseOnError: true})).resolves.toBe(10)
  })
})

describe('PeriodicTaskRunner overlap', () => {
  it('ACCEPTANCE: a slow task never runs twice at once, and its overrun is reported once per run', async () => {
    let active = 0
    let maxActive = 0
    const runs: Array<ReturnType<typeof deferred>> = []
    const target = {
      async slow() {
        active += 1
        maxActive = Math.max(maxActive, active)
        const run = deferred()
        runs.push(run)
        await run.promise
        active -= 1
      },
    }
    const {runner, clock, log} = runnerFor(target, {slow: {spacing: 10, runImmediately: true}})
    await runner.runDue('ctx')
    expect(runs).toHaveLength(1)
    // Due again at 10 s and 20 s while the first run lasts 25 s: not started again.
    for (const seconds of [10, 10]) {
      clock.advance(seconds)
      expect(await runner.runDue('ctx')).toBe(10)
      expect(runs).toHaveLength(1)
    }
    expect(runner.status()[0]).toMatchObject({running: true, runs: 0, nextDueInMs: -10_000})
    clock.advance(5)
    runs[0]!.resolve()
    await flush()
    // It finished overdue: one warning, and it runs again at once, not once per missed spacing.
    expect(log.at('warn')).toEqual(['periodic task slow of Object outlasted its spacing by 15.0 s'])
    expect(runs).toHaveLength(2)
    expect(runner.status()[0]).toMatchObject({running: true, runs: 1, lastDurationMs: 25_000, nextDueInMs: 5_000})
    // A run that ends in time is not reported and not repeated.
    clock.advance(1)
    runs[1]!.resolve()
    await flush()
    expect(runs).toHaveLength(2)
    expect(log.at('warn')).toHaveLength(1)
    clock.advance(4)
    await runner.runDue('ctx')
    expect(runs).toHaveLength(3)
    runs[2]!.resolve()
    await flush()
    expect(maxActive).toBe(1)
  })

  it('runs a task again at once when it ends due without outlasting its spacing, and does not warn', async () => {
    const runs: Array<ReturnType<typeof deferred>> = []
    const target = {
      work() {
        const run = deferred()
        runs.push(run)
        return run.promise
      },
    }
    const {runner, clock, log} = runnerFor(target, {work: {spacing: 10}})
    // A tick 5 s late starts the run on its grid slot (10 s), so it is due again at 20 s.
    clock.advance(15)
    await runner.runDue('ctx')
    clock.advance(6)
    runs[0]!.resolve()
    await flush()
    expect(runs).toHaveLength(2)
    expect(log.at('warn')).toEqual([])
    runs[1]!.resolve()
  })

  it('lets other tasks run while one is slow', async () => {
    const slow = deferred()
    const target = new Counting()
    const {runner, clock} = runnerFor(Object.assign(target, {slow: () => slow.promise}), {slow: {spacing: 10, runImmediately: true}, fast: {spacing: 3, runImmediately: true}})
    for (let round = 0; round < 3; round++) {
      await runner.runDue('ctx')
      await flush()
      clock.advance(3)
    }
    expect(target.calls.fast).toBe(3)
    expect(runner.status()[0]?.running).toBe(true)
    slow.resolve()
  })
})

describe('PeriodicTaskRunner stop', () => {
  function blockingTarget() {
    const gate = deferred()
    let signal: AbortSignal | undefined
    const target = {
      async work(_ctx: string, run: PeriodicTaskRun) {
        signal = run.signal
        await gate.promise
      },
    }
    return {target, gate, signal: () => signal}
  }

  it('a graceful stop waits for running tasks and starts nothing after', async () => {
    const {target, gate, signal} = blockingTarget()
    const {runner, clock} = runnerFor(target, {work: {spacing: 1, runImmediately: true}})
    await runner.runDue('ctx')
    let finished: boolean | undefined
    const stopping = runner.stop({graceful: true, timeoutMs: 5_000}).then((result) => (finished = result))
    await flush()
    expect(finished).toBeUndefined()
    clock.advance(10)
    gate.resolve()
    await stopping
    expect(finished).toBe(true)
    expect(signal()?.aborted).toBe(false)
    // Overdue when it finished, yet not restarted; later calls start nothing either.
    expect(runner.status()[0]).toMatchObject({running: false, runs: 1})
    clock.advance(10)
    await runner.runDue('ctx')
    expect(runner.status()[0]?.runs).toBe(1)
    expect(runner.status()[0]?.running).toBe(false)
  })

  it('a graceful stop gives up after its timeout, aborts the task signal and says so', async () => {
    const {target, gate, signal} = blockingTarget()
    const {runner, log} = runnerFor(target, {work: {runImmediately: true}})
    await runner.runDue('ctx')
    await expect(runner.stop({graceful: true, timeoutMs: 20})).resolves.toBe(false)
    expect(signal()?.aborted).toBe(true)
    expect(log.at('warn')).toEqual(['stopping periodic tasks of Object without waiting for work'])
    gate.resolve()
  })

  it('a stop that is not graceful returns at once', async () => {
    const {target, gate, signal} = blockingTarget()
    const {runner} = runnerFor(target, {work: {runImmediately: true}})
    await runner.runDue('ctx')
    await expect(runner.stop({graceful: false})).resolves.toBe(false)
    expect(signal()?.aborted).toBe(true)
    gate.resolve()
    const {runner: idle} = runnerFor(new Counting(), {fast: {}})
    await expect(idle.stop({graceful: false})).resolves.toBe(true)
  })
})

describe('PeriodicTaskRunner status', () => {
  it('reports each task for monitors', async () => {
    const gate = deferred()
    const target = {work: () => gate.promise, later() {}}
    const {runner, clock} = runnerFor(target, {work: {spacing: 30, runImmediately: true}, later: {spacing: 5}})
    const before = Date.now()
    await runner.runDue('ctx')
    clock.advance(2)
    expect(runner.status()).toEqual([
      {name: 'work', method: 'work', spacing: 30, enabled: true, running: true, lastStartedAt: expect.any(Number), lastDurationMs: null, lastError: null, nextDueInMs: 28_000, runs: 0, failures: 0, totalDurationMs: 0},
      {name: 'later', method: 'later', spacing: 5, enabled: true, running: false, lastStartedAt: null, lastDurationMs: null, lastError: null, nextDueInMs: 3_000, runs: 0, failures: 0, totalDurationMs: 0},
    ])
    expect(runner.status()[0]!.lastStartedAt).toBeGreaterThanOrEqual(before)
    gate.resolve()
    await flush()
    expect(runner.status()[0]).toMatchObject({running: false, lastDurationMs: 2_000, runs: 1})
  })
})
