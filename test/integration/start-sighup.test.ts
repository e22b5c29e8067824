/**
 * SIGHUP and `steward start`'s dashboard (issue 6, part 4): a SIGHUP reloads while the dashboard
 * stays up; closing the terminal (tmux sends SIGHUP as it hangs up) stops the host gracefully.
 */
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {ServiceView} from '../../src/service/service-state.js'
import {eventually, killLeftovers, makeTestDir, repoRoot, runJson, writeConfig} from '../helpers/steward-process.js'
import {TmuxSession, tmuxAvailable} from '../helpers/tmux.js'

const hostConfig = {report_interval: 1, periodic_fuzzy_delay: 0, service_down_time: 30, sysinfo: {driver: 'node-os', label: 'before'}}

let session: TmuxSession | undefined
afterEach(async () => {
  await session?.stop()
  session = undefined
  await killLeftovers()
})

const list = (dir: string): Promise<ServiceView[]> => runJson<ServiceView[]>(['services', 'list'], {cwd: dir})

async function startInTerminal(dir: string, host: string): Promise<{terminal: TmuxSession; pid: number}> {
  const bin = path.join(repoRoot, 'bin', 'run.js')
  session = await TmuxSession.start(`${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} start sysinfo --host ${host}; echo "EXIT-$?"; exec sleep 600`, {columns: 100, rows: 30, cwd: dir})
  // The dashboard, not a log line that says the same.
  await session.waitFor(/\[1 Services\][\s\S]*steward-sysinfo.*up/, {timeoutMs: 30_000})
  const pid = Number(await readFile(path.join(dir, 'state', 'run', `${host}.pid`), 'utf8'))
  return {terminal: session, pid}
}

describe.skipIf(!tmuxAvailable())('SIGHUP to steward start in a terminal', () => {
  it('reloads twice while the dashboard stays up, with the configuration change visible', async () => {
    const dir = await makeTestDir()
    const file = await writeConfig(dir, hostConfig)
    const {terminal, pid} = await startInTerminal(dir, 'hup1')
    await writeFile(file, JSON.stringify({...JSON.parse(await readFile(file, 'utf8')), sysinfo: {driver: 'node-os', label: 'after'}}))

    await terminal.type('4')
    process.kill(pid, 'SIGHUP')
    await terminal.waitFor('SIGHUP received: reloading')
    process.kill(pid, 'SIGHUP')
    await terminal.waitUntil((screen) => (screen.match(/reload done/g) ?? []).length >= 2, 'two reloads', {timeoutMs: 30_000})
    const screen = await terminal.capture()
    expect(screen).toContain('[4 Logs]')
    expect(screen).not.toMatch(/EXIT-/)

    const config = await runJson<{result: {label?: string}}>(['call', 'sysinfo', 'serviceConfig'], {cwd: dir})
    expect(config.result.label).toBe('after')
    await terminal.type('q')
    expect(await terminal.waitFor(/EXIT-\d/, {timeoutMs: 30_000})).toContain('EXIT-0')
  })

  it('stops the host gracefully when its terminal is closed', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, hostConfig)
    await startInTerminal(dir, 'hup2')
    await session!.stop()
    session = undefined
    // The host is no child of the test: its stop is seen in the store.
    await eventually(async () => ((await list(dir)).every((service) => service.state === 'stopped') ? true : undefined), 'the host to stop gracefully')
  })
})
