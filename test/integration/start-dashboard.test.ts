/**
 * `steward start` shows its host's dashboard in a terminal (tmux, `CI` unset) and writes plain log
 * lines when stdout is not one (issue 5's acceptance).
 */
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {ServiceView} from '../../src/service/service-state.js'
import type {HostRecord} from '../../src/store/types.js'
import {killLeftovers, makeTestDir, repoRoot, runJson, StewardProcess, writeConfig} from '../helpers/steward-process.js'
import {TmuxSession, tmuxAvailable} from '../helpers/tmux.js'

const BEFORE = 'BEFORE-THE-DASHBOARD'
const hostConfig = {report_interval: 1, periodic_fuzzy_delay: 0, service_down_time: 4, sysinfo: {driver: 'node-os'}}

let session: TmuxSession | undefined
afterEach(async () => {
  await session?.stop()
  session = undefined
  await killLeftovers()
})

const list = (dir: string): Promise<ServiceView[]> => runJson<ServiceView[]>(['services', 'list'], {cwd: dir})

/** `steward start sysinfo --host NAME` in a terminal, after a line printed before it. */
async function startInTerminal(dir: string, host: string): Promise<TmuxSession> {
  const bin = path.join(repoRoot, 'bin', 'run.js')
  const command = `printf '${BEFORE}\\n'; ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} start sysinfo --host ${host}; echo "EXIT-$?"; exec sleep 600`
  session = await TmuxSession.start(command, {columns: 100, rows: 30, cwd: dir})
  return session
}

describe.skipIf(!tmuxAvailable())('steward start in a terminal', () => {
  it('shows the host\'s dashboard; q closes it, gives the terminal back, and stops the host gracefully', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, hostConfig)
    const terminal = await startInTerminal(dir, 'dash1')
    const screen = await terminal.waitFor(/steward-sysinfo.*up/, {timeoutMs: 30_000})
    expect(screen).toContain('dash1')
    expect(screen).toContain('[1 Services]')
    // The dashboard, not log lines, while it is up.
    expect(screen).not.toContain(BEFORE)
    expect(screen).not.toMatch(/INFO .*host dash1 running/)
    // The lines logged before the dashboard opened are in its Logs view.
    await terminal.type('4')
    await terminal.waitFor('host dash1 running')

    await terminal.type('q')
    const after = await terminal.waitFor(/EXIT-\d/, {timeoutMs: 30_000})
    expect(after).toContain(BEFORE)
    expect(after).not.toContain('[1 Services]')
    expect(after).toContain('dashboard closed: stopping gracefully')
    expect(after).toContain('EXIT-0')
    expect((await list(dir)).map((service) => service.state)).toEqual(['stopped'])
  })

  it('a SIGTERM ends the dashboard with the host, and gives the terminal back', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, hostConfig)
    const terminal = await startInTerminal(dir, 'dash2')
    await terminal.waitFor(/steward-sysinfo.*up/, {timeoutMs: 30_000})
    const [host] = await runJson<HostRecord[]>(['hosts'], {cwd: dir})
    process.kill(host!.pid, 'SIGTERM')
    const after = await terminal.waitFor(/EXIT-\d/, {timeoutMs: 30_000})
    expect(after).toContain(BEFORE)
    expect(after).not.toContain('[1 Services]')
    expect(after).toContain('EXIT-0')
    expect((await list(dir)).map((service) => service.state)).toEqual(['stopped'])
  })
})

describe('steward start with stdout not a terminal', () => {
  it('writes log lines and no escape codes', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, hostConfig)
    // A pipe, as for `steward start > file`.
    const host = new StewardProcess(['start', 'sysinfo', '--host', 'piped'], {cwd: dir})
    await host.waitForOutput(/host piped running/)
    host.kill('SIGTERM')
    expect(await host.exited).toEqual({code: 0, signal: null})
    expect(host.output).toMatch(/^\S+Z INFO {2}host piped starting steward-sysinfo/m)
    expect(host.output).not.toContain('\u001B')
  })
})
