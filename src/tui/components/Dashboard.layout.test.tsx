import {cleanup, render} from 'ink-testing-library'
import {afterEach, describe, expect, test} from 'vitest'
import type {MonitorModel} from '../../monitor/telemetry.js'
import {KEYS, press, type} from '../../../test/helpers/ink.js'
import {FakeActions, FakeSource, host, logLine, service, telemetry, twoHostModel} from '../../../test/helpers/monitor-model.js'
import {App} from './App.js'

afterEach(() => cleanup())

/** 5 hosts × 12 services with long names, 20 periodic tasks on one, 500 long log lines. */
function bigModel(): MonitorModel {
  const base = twoHostModel()
  const hosts = Array.from({length: 5}, (_, index) => host(`host-with-a-rather-long-name-${index}`))
  const services = hosts.flatMap((candidate) =>
    Array.from({length: 12}, (_, index) => service(index % 3 === 0 ? `${candidate.record.name}@backend-number-${index}` : candidate.record.name, `topic-with-a-long-name-${index}`, {disabledReason: 'a reason that is long enough to wrap on any terminal if it were not cut '.repeat(3)})),
  )
  const first = services[0]
  if (first !== undefined) {
    const tasks = telemetry(first.host, first.topic).periodicTasks
    first.telemetry = telemetry(first.host, first.topic, {periodicTasks: Array.from({length: 20}, (_, index) => ({...(tasks[1] ?? tasks[0]!), name: `task-${index}`, lastError: 'x'.repeat(200)}))})
    first.status = 'disabled'
  }
  const logs = Array.from({length: 500}, (_, index) => logLine(hosts[index % 5]?.record.name ?? 'h', `message ${index} `.repeat(20)))
  return {...base, hosts, services, logs}
}

/** Every frame drawn so far fits: fewer lines than the terminal has rows, none wider than it. */
function expectFits(frames: readonly string[], columns: number, rows: number) {
  expect(frames.length).toBeGreaterThan(0)
  for (const frame of frames) {
    const lines = frame.split('\n')
    expect(lines.length).toBeLessThanOrEqual(rows - 1)
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns)
  }
}

describe('fits the terminal: the root stays below its height (no flicker), nothing wider than it', () => {
  for (const [columns, rows] of [
    [80, 24],
    [60, 15],
    [200, 50],
  ] as const) {
    test(`${columns}×${rows}, through every view, the help, prompts and a call's result`, async () => {
      const actions = new FakeActions()
      actions.callResult = {lines: Array.from({length: 100}, (_, index) => `result line ${index} `.repeat(10))}
      const {stdin, frames} = render(<App source={new FakeSource(bigModel())} actions={actions} size={{columns, rows}} />)
      await press(stdin, 'G', 'g', KEYS.pageDown, KEYS.pageDown)
      await press(stdin, KEYS.enter, KEYS.tab, 'G', KEYS.tab, 'k', 'l', 'a', KEYS.tab, '?')
      await press(stdin, '?', 'd')
      await type(stdin, 'a long reason '.repeat(10))
      await press(stdin, KEYS.enter)
      await press(stdin, 'n', 'c')
      await type(stdin, 'method')
      await press(stdin, KEYS.enter, KEYS.enter)
      expectFits(frames, columns, rows)
      expect(frames.at(-1)).toContain('result line 0')
    })
  }

  test('at 80×24 the services table keeps the columns that matter and drops the rest', () => {
    const {lastFrame} = render(<App source={new FakeSource()} actions={new FakeActions()} size={{columns: 80, rows: 24}} />)
    const title = (lastFrame() ?? '').split('\n')[1] ?? ''
    for (const kept of ['BINARY', 'STATUS', 'STATE', 'HB', 'GEN/RL', 'CALL/S', 'P99', 'ERR', 'INFL']) expect(title).toContain(kept)
    for (const dropped of ['TOPIC', 'ZONE', 'HOST']) expect(title).not.toContain(dropped)
    expect(lastFrame()).toContain('steward-scheduler')
  })

  test('at 80×24 the hosts view keeps pid, uptime, memory and CPU, and the end of the endpoint', async () => {
    const {lastFrame, stdin} = render(<App source={new FakeSource()} actions={new FakeActions()} size={{columns: 80, rows: 24}} />)
    await press(stdin, '3')
    const lines = (lastFrame() ?? '').split('\n')
    expect(lines[1]).toMatch(/HOST +STATE +ENDPOINT +PID +UPTIME +RSS +HEAP +CPU%/)
    expect(lines[2]).toMatch(/› node1 +▲ up +…\S*\/node1\.sock +4005 +1h02m +83M +21M +3\.5$/)
  })

  test('the header cuts the counts before the time of the data', () => {
    const header = (columns: number) => (render(<App source={new FakeSource()} actions={new FakeActions()} size={{columns, rows: 20}} />).lastFrame() ?? '').split('\n')[0]
    expect(header(80)).toMatch(/\[1 Services\].* 2 hosts · 4 services · \d\d:\d\d:\d\d$/)
    expect(header(60)).toMatch(/\[1 Services\].*… \d\d:\d\d:\d\d$/)
    expect([...header(60)!]).toHaveLength(60)
  })

  test('follows a resize of the terminal', async () => {
    const app = render(<App source={new FakeSource()} actions={new FakeActions()} size={{columns: 80, rows: 24}} />)
    expect((app.lastFrame() ?? '').split('\n')).toHaveLength(23)
    app.rerender(<App source={new FakeSource()} actions={new FakeActions()} size={{columns: 120, rows: 10}} />)
    await press(app.stdin)
    expect((app.lastFrame() ?? '').split('\n')).toHaveLength(9)
    expect((app.lastFrame() ?? '').split('\n')[1]).toContain('TOPIC')
  })
})
