import {cleanup, render} from 'ink-testing-library'
import {afterAll, afterEach, beforeAll, describe, expect, test, vi} from 'vitest'
import {KEYS, press, type} from '../../test/helpers/ink.js'
import {FakeActions, FakeSource, host, logLine, service, telemetry} from '../../test/helpers/monitor-model.js'
import type {MonitorModel} from '../monitor/telemetry.js'
import {App} from './components/App.js'
import {buildFrame, INK_VERSION, installFastInkFrames, isNarrowSymbol, loadInkOutput, probeMismatch, type Frame, type InkOutput, type Operation, type OutputTransformer} from './ink-frame.js'

// Ink's chalk decides on colour when it loads; with colour the frames carry the SGR codes that the
// frame builder has to reproduce.
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1'
})

const {Output, version} = await loadInkOutput()
const inkGet = Output.prototype.get
const operationsOf = (output: InkOutput) => (output as unknown as {operations: Operation[]}).operations

afterEach(() => cleanup())

test(`Ink is ${INK_VERSION}, and its own get agrees with buildFrame on the probe frames`, () => {
  expect(version).toBe(INK_VERSION)
  expect(probeMismatch(Output, inkGet)).toBeUndefined()
})

describe('the dashboard, frame by frame, the same as Ink builds it', () => {
  interface Recorded {
    width: number
    height: number
    operations: Operation[]
    frame: Frame
  }
  const recorded: Recorded[] = []
  beforeAll(() => {
    Output.prototype.get = function get(this: InkOutput): Frame {
      const frame = inkGet.call(this)
      recorded.push({width: this.width, height: this.height, operations: [...operationsOf(this)], frame})
      return frame
    }
  })
  afterAll(() => {
    Output.prototype.get = inkGet
  })

  /** 5 hosts × 40 services, some disabled, down, failing or restarting, and log lines. */
  function model(): MonitorModel {
    const hosts = Array.from({length: 5}, (_, index) => host(`tui-${index + 1}`, index === 4 ? {state: 'down'} : {}))
    const services = hosts.flatMap((candidate, hostIndex) =>
      Array.from({length: 40}, (_, index) => {
        const topic = `t${String(index + 1).padStart(3, '0')}`
        const generation = telemetry(candidate.record.name, topic).generation
        return service(candidate.record.name, topic, {
          ...(index % 7 === 3 ? {status: 'disabled' as const, disabledReason: 'maintenance'} : {}),
          ...(hostIndex === 4 ? {state: 'down' as const, telemetry: null} : {}),
          ...(index % 11 === 5 && hostIndex < 4 && generation !== null ? {telemetry: telemetry(candidate.record.name, topic, {generation: {...generation, state: 'restarting'}, rpc: {calls: 10, casts: 0, errors: {BOOM: 3}, inFlight: 2, perSecond: 0.25, p99Ms: 1234.5}})} : {}),
          heartbeatAgeSeconds: index % 13,
        })
      }),
    )
    const logs = Array.from({length: 60}, (_, index) => logLine(`tui-${(index % 5) + 1}`, `call ${index} answered in ${index}.5 ms`, {level: index % 9 === 0 ? 'warn' : 'info'}))
    return {at: '2026-01-02T10:00:00.000Z', hosts, services, logs}
  }

  for (const [columns, rows] of [
    [200, 50],
    [80, 24],
  ] as const) {
    test(`${columns}×${rows}: every view, prompts, the help, updates`, async () => {
      recorded.length = 0
      const source = new FakeSource(model())
      const {stdin} = render(<App source={source} actions={new FakeActions()} size={{columns, rows}} />)
      await press(stdin, 'j', 'j', KEYS.pageDown, 'S', 's')
      source.emit({...model(), at: '2026-01-02T10:00:01.000Z'})
      await press(stdin, '/')
      await type(stdin, 't00')
      await press(stdin, KEYS.enter, KEYS.enter, KEYS.tab, KEYS.tab, 'l', KEYS.tab, '?', '?', 'd')
      await type(stdin, 'a reason')
      await press(stdin, KEYS.escape, 'c')
      expect(recorded.length).toBeGreaterThan(10)
      // Colour reached the frames (else this would compare plain text only).
      expect(recorded.some(({frame}) => frame.output.includes('\u001B[32m'))).toBe(true)
      for (const {width, height, operations, frame} of recorded) expect(buildFrame(width, height, operations)).toEqual(frame)
    })
  }
})

describe('random frames', () => {
  // A small deterministic generator, so that a failure can be replayed.
  function random(seed: number) {
    let state = seed >>> 0
    return () => {
      state = (state + 0x6d2b79f5) >>> 0
      let value = Math.imul(state ^ (state >>> 15), 1 | state)
      value ^= value + Math.imul(value ^ (value >>> 7), 61 | value)
      return ((value ^ (value >>> 14)) >>> 0) / 4294967296
    }
  }
  const WORDS = ['a', 'up', 'enabled', '  ', ' 12.3ms', 'steward-share', '▲ up', '▼', '■ stopped', '✖', '↻', '…', '›', '▸', '·', '✔', '─', '│', '≥', 'µs', 'é', '  x  ']
  const CODES = ['0', '1', '2', '3', '4', '7', '8', '9', '53', '22', '23', '24', '27', '28', '29', '55', '31', '32', '33', '39', '90', '97', '41', '49', '100', '107', '1;32', '2;7', '0;4']

  test('writes, styles, overlaps, gaps, past the edges, clips, several lines, transformers: as Ink', () => {
    const next = random(5)
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
    const text = () => {
      let value = ''
      const parts = 1 + Math.floor(next() * 6)
      for (let part = 0; part < parts; part++) {
        const roll = next()
        value += roll < 0.3 ? `\u001B[${pick(CODES)}m` : roll < 0.4 ? '\n' : pick(WORDS)
      }
      return value === '' ? 'x' : value
    }
    const transformers: OutputTransformer[][] = [[], [(line) => `\u001B[1m${line}\u001B[22m`], [(line, index) => `${index}${line}`, (line) => `\u001B[7m${line}\u001B[27m`]]
    for (let round = 0; round < 400; round++) {
      const width = 1 + Math.floor(next() * 40)
      const height = 1 + Math.floor(next() * 8)
      const output = new Output({width, height}) as InkOutput
      let clips = 0
      const writes = 1 + Math.floor(next() * 12)
      for (let write = 0; write < writes; write++) {
        const roll = next()
        if (roll < 0.1) {
          const y1 = Math.floor(next() * height)
          output.clip({x1: undefined, x2: undefined, y1, y2: y1 + Math.floor(next() * height)})
          clips++
        } else if (roll < 0.15 && clips > 0) {
          output.unclip()
          clips--
        } else {
          output.write(Math.floor(next() * (width + 4)), Math.floor(next() * (height + 2)) - 1, text(), {transformers: pick(transformers)})
        }
      }
      const expected = inkGet.call(output)
      const built = buildFrame(width, height, operationsOf(output))
      expect(built, `round ${round}: ${JSON.stringify(operationsOf(output).map((operation) => (operation.type === 'write' ? [operation.x, operation.y, operation.text] : operation)))}`).toEqual(expected)
    }
  })
})

describe('what it leaves to Ink', () => {
  const cases: Array<[string, (output: InkOutput) => void]> = [
    ['a wide character', (output) => output.write(0, 0, 'name 日本', {transformers: []})],
    ['an emoji', (output) => output.write(0, 0, 'ok ✅', {transformers: []})],
    ['a combining mark', (output) => output.write(0, 0, 'cafe\u0301', {transformers: []})],
    ['a control sequence that is not a style', (output) => output.write(0, 0, 'a\u001B[2Kb', {transformers: []})],
    ['a 256-colour style', (output) => output.write(0, 0, '\u001B[38;5;12mblue\u001B[39m', {transformers: []})],
    ['a tab', (output) => output.write(0, 0, 'a\tb', {transformers: []})],
    [
      'a horizontal clip',
      (output) => {
        output.clip({x1: 2, x2: 6, y1: undefined, y2: undefined})
        output.write(0, 0, 'clipped text', {transformers: []})
        output.unclip()
      },
    ],
    ['a fractional position', (output) => output.write(1.5, 0, 'x', {transformers: []})],
  ]
  for (const [name, draw] of cases) {
    test(`${name}: buildFrame declines, and the installed get answers what Ink's own does`, async () => {
      const output = new Output({width: 20, height: 2}) as InkOutput
      output.write(0, 1, 'plain ▲ line', {transformers: []})
      draw(output)
      expect(buildFrame(20, 2, operationsOf(output))).toBeUndefined()
      expect(await installFastInkFrames()).toEqual({installed: true})
      expect(output.get()).toEqual(inkGet.call(output))
    })
  }

  test('installing is once: the installed get builds frames itself', async () => {
    expect(await installFastInkFrames()).toEqual({installed: true})
    expect(Output.prototype.get).not.toBe(inkGet)
    const output = new Output({width: 10, height: 1}) as InkOutput
    output.write(0, 0, '\u001B[32m▲ up\u001B[39m', {transformers: []})
    expect(output.get()).toEqual(inkGet.call(output))
  })
})

test('every narrow symbol is one UTF-16 unit, and none is ASCII', () => {
  for (let code = 0; code <= 0xffff; code++) {
    if (!isNarrowSymbol(code)) continue
    expect(code).toBeGreaterThan(0x7e)
    expect(code < 0xd800 || code > 0xdfff).toBe(true)
  }
})
