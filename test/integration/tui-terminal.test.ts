/**
 * The TUI in a real terminal (tmux), on a fake source: alternate screen in and out, keys, resize,
 * and the terminal given back on q, SIGTERM, an error in the UI and a crash outside it. The
 * end-to-end test against real hosts builds on the same helper.
 */
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import {repoRoot} from '../helpers/steward-process.js'
import {TmuxSession, tmuxAvailable} from '../helpers/tmux.js'

const FIXTURE = path.join(repoRoot, 'test/fixtures/tui/fake-monitor.ts')
const BEFORE = 'BEFORE-THE-TUI'

let dir: string
let session: TmuxSession | undefined

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'steward-tui-terminal-'))
})
afterEach(async () => {
  await session?.stop()
  session = undefined
  await rm(dir, {recursive: true, force: true})
})

async function startMonitor(env: Record<string, string> = {}, size = {columns: 80, rows: 24}) {
  // The shell stays after the monitor, so the screen is the terminal as a user would find it.
  const command = `printf '${BEFORE}\\n'; ${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(FIXTURE)}; echo "EXIT-$?"; exec sleep 600`
  session = await TmuxSession.start(command, {...size, cwd: repoRoot, env: {FAKE_MONITOR_ACTIONS: path.join(dir, 'actions.jsonl'), FAKE_MONITOR_PID_FILE: path.join(dir, 'pid'), ...env}})
  const screen = await session.waitFor('steward-scheduler', {timeoutMs: 30_000})
  return {session, screen}
}

/** The terminal as it was before the TUI: the line printed before it, and nothing of the dashboard. */
function expectRestored(screen: string) {
  expect(screen).toContain(BEFORE)
  expect(screen).not.toContain('steward-scheduler')
  expect(screen).not.toContain('[1 Services]')
}

describe.skipIf(!tmuxAvailable())('the TUI in a real terminal', () => {
  test('draws on the alternate screen below the last row, takes keys, follows a resize, and q gives the terminal back', async () => {
    const {session, screen} = await startMonitor()
    expect(screen).not.toContain(BEFORE)
    const rows = screen.replace(/\n$/, '').split('\n')
    expect(rows.length).toBeLessThanOrEqual(24)
    // The root is one row shorter than the terminal: the last row stays empty (no flicker).
    expect(rows[23] ?? '').toBe('')
    expect(screen).toContain('[1 Services]')

    await session.type('j')
    await session.type('d')
    await session.waitFor('reason (enter; esc cancels):')
    await session.type('maintenance window')
    await session.sendKeys('Enter')
    await session.waitFor('? Disable steward-share on node1 (maintenance window)? [y/N]')
    await session.type('y')
    await session.waitFor('Disabled steward-share on node1.')
    const actions = (await readFile(path.join(dir, 'actions.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as unknown)
    expect(actions).toEqual([{action: 'disable', args: ['node1', 'steward-share', 'maintenance window']}])

    await session.resize(120, 30)
    await session.waitFor(/TOPIC/)
    await session.sendKeys('Tab', 'Tab')
    await session.waitFor('[3 Hosts]')

    await session.type('q')
    const after = await session.waitFor('EXIT-0')
    expectRestored(after)
    expect(after).toContain('monitor ended')
  })

  test('SIGTERM ends it and gives the terminal back', async () => {
    const {session} = await startMonitor()
    const pid = Number(await readFile(path.join(dir, 'pid'), 'utf8'))
    process.kill(pid, 'SIGTERM')
    expectRestored(await session.waitFor('EXIT-'))
  })

  test('an error in the UI shows a message; q then restores the terminal and prints the error', async () => {
    const {session} = await startMonitor({FAKE_MONITOR_FAIL: 'render'})
    await session.waitFor('The monitor hit an error and stopped drawing.')
    await session.type('q')
    const after = await session.waitFor('EXIT-1')
    expectRestored(after)
    expect(after).toMatch(/monitor failed: .*services/)
  })

  test('a crash outside the UI still gives the terminal back, before Node prints the error', async () => {
    const {session} = await startMonitor({FAKE_MONITOR_FAIL: 'outside'})
    const after = await session.waitFor(/EXIT-\d/)
    expectRestored(after)
    expect(after).toContain('boom outside the UI')
  })
})
