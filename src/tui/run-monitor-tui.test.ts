import {execFile} from 'node:child_process'
import {EventEmitter} from 'node:events'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'
import {setTimeout as delay} from 'node:timers/promises'
import {afterEach, expect, test, vi} from 'vitest'
import type {MonitorModel} from '../monitor/telemetry.js'
import {FakeActions, FakeSource, twoHostModel} from '../../test/helpers/monitor-model.js'
import {runMonitorTui} from './run-monitor-tui.js'

const ENTER = '\u001B[?1049h'
const LEAVE = '\u001B[?1049l'

/** A terminal's stdout: a TTY of 80×24 that keeps what is written. */
class FakeTerminal extends EventEmitter {
  readonly isTTY = true
  columns = 80
  rows = 24
  output = ''
  write = (data: string) => {
    this.output += data
    return true
  }
}

/** A terminal's stdin in raw mode, as Ink reads it. */
class FakeKeyboard extends EventEmitter {
  readonly isTTY = true
  private pending: string | null = null
  setRawMode() {}
  setEncoding() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
  read = () => {
    const data = this.pending
    this.pending = null
    return data
  }
  async press(key: string) {
    for (let tries = 0; this.listenerCount('readable') === 0; tries++) {
      if (tries > 400) throw new Error('the TUI never read its input')
      await delay(5)
    }
    this.pending = key
    this.emit('readable')
    await delay(5)
  }
}

afterEach(() => {
  vi.restoreAllMocks()
})

function start(source = new FakeSource(), signals: NodeJS.Signals[] = ['SIGUSR2']) {
  const stdout = new FakeTerminal()
  const stdin = new FakeKeyboard()
  const stderr = new FakeTerminal()
  const done = runMonitorTui(source, new FakeActions(), {stdout: stdout as never, stdin: stdin as never, stderr: stderr as never, signals})
  return {stdout, stdin, done}
}

test('enters the alternate screen, and leaves it when q quits', async () => {
  const {stdout, stdin, done} = start()
  await stdin.press('q')
  await done
  expect(stdout.output.startsWith(ENTER)).toBe(true)
  expect(stdout.output.endsWith(LEAVE)).toBe(true)
  // Drawn in between (with CI set, Ink writes the last frame only, at the end).
  expect(stdout.output).toContain('steward-share')
})

test('Ctrl-C quits the same way', async () => {
  const {stdout, stdin, done} = start()
  await stdin.press('\u0003')
  await done
  expect(stdout.output.endsWith(LEAVE)).toBe(true)
})

test('a signal ends the UI and restores the terminal; the caller goes on to stop what it runs', async () => {
  const source = new FakeSource()
  const listeners = process.listenerCount('SIGUSR2')
  const {stdout, stdin, done} = start(source)
  await stdin.press('j')
  // Ours, and Ink's signal-exit (which stays registered for the process).
  expect(process.listenerCount('SIGUSR2')).toBeGreaterThan(listeners)
  process.emit('SIGUSR2', 'SIGUSR2')
  await done
  expect(stdout.output.endsWith(LEAVE)).toBe(true)
  expect(source.subscribers).toBe(0)
})

test('an aborted signal ends the UI as q does (the host it shows stopped on its own)', async () => {
  const stdout = new FakeTerminal()
  const stdin = new FakeKeyboard()
  const ended = new AbortController()
  const done = runMonitorTui(new FakeSource(), new FakeActions(), {stdout: stdout as never, stdin: stdin as never, signals: [], signal: ended.signal})
  await stdin.press('j')
  ended.abort()
  await done
  expect(stdout.output.endsWith(LEAVE)).toBe(true)
})

test('an error inside the UI is shown, then thrown once the terminal is restored', async () => {
  vi.spyOn(console, 'error').mockImplementation(() => undefined)
  const source = new FakeSource()
  const {stdout, stdin, done} = start(source)
  const outcome = done.then(() => undefined, (error: unknown) => error)
  await stdin.press('j')
  source.emit({...twoHostModel(), services: undefined} as unknown as MonitorModel)
  await delay(200)
  await stdin.press('q')
  expect(await outcome).toBeInstanceOf(TypeError)
  expect(String(await outcome)).toMatch(/services/)
  expect(stdout.output).toContain('The monitor hit an error')
  expect(stdout.output.endsWith(LEAVE)).toBe(true)
})

test('without a TTY it does not touch the alternate screen', async () => {
  const stdout = new FakeTerminal()
  Object.defineProperty(stdout, 'isTTY', {value: false})
  const stdin = new FakeKeyboard()
  const done = runMonitorTui(new FakeSource(), new FakeActions(), {stdout: stdout as never, stdin: stdin as never, signals: []})
  await stdin.press('q')
  await done
  expect(stdout.output).not.toContain(ENTER)
  expect(stdout.output).not.toContain(LEAVE)
})

test('loads React\'s production build when NODE_ENV is unset, without leaving NODE_ENV set', async () => {
  const entry = fileURLToPath(new URL('./run-monitor-tui.ts', import.meta.url))
  const script = `
    import {createRequire} from 'node:module'
    const {preloadProductionReact} = await import(${JSON.stringify(entry)})
    preloadProductionReact()
    await import('ink')
    const cache = createRequire(${JSON.stringify(entry)}).cache
    const loaded = Object.keys(cache).filter((file) => cache[file].loaded && /(react|react-reconciler|scheduler)[\\/]cjs[\\/]/.test(file)).map((file) => file.split(/node_modules[\\/]/).pop())
    console.log(JSON.stringify({nodeEnv: process.env.NODE_ENV ?? null, loaded}))
  `
  const env = {...process.env}
  delete env.NODE_ENV
  const {stdout} = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {env, cwd: fileURLToPath(new URL('../..', import.meta.url))})
  const {nodeEnv, loaded} = JSON.parse(stdout) as {nodeEnv: string | null; loaded: string[]}
  expect(nodeEnv).toBeNull()
  expect(loaded.filter((file) => file.includes('.development.') && !file.includes('constants'))).toEqual([])
  expect(loaded).toEqual(expect.arrayContaining(['react/cjs/react.production.js', 'react-reconciler/cjs/react-reconciler.production.js']))
})
