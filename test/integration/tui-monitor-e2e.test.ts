/**
 * Issue 5's end-to-end acceptance: `steward monitor` in a real terminal (tmux) watching two real
 * host processes that share one state directory and watch one plugin directory. Disabling a
 * service by key, saving a plugin file, killing a host and quitting are each followed to what
 * the screen and the state store show.
 */
import {readFile, rm} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'
import type {ServiceView} from '../../src/service/service-state.js'
import {editFile, reloadTestDir} from '../helpers/generation-hosts.js'
import {startHost} from '../helpers/rpc-hosts.js'
import {killLeftovers, repoRoot, runJson, type StewardProcess} from '../helpers/steward-process.js'
import {TmuxSession, tmuxAvailable} from '../helpers/tmux.js'

const BEFORE = 'BEFORE-THE-MONITOR'
const REASON = 'disk swap e2e'
/** Generous: a loaded 2-core machine runs two hosts, their workers, the monitor and tmux. */
const WAIT = {timeoutMs: 45_000}

let dir: string
let pluginDir: string
let session: TmuxSession | undefined
let monitorPidFile: string

beforeEach(async () => {
  // service_down_time 3 s: a killed host's services read down within seconds; heartbeats every second.
  ;({dir, pluginDir} = await reloadTestDir({service_down_time: 3}))
  monitorPidFile = path.join(dir, 'monitor.pid')
})

afterEach(async () => {
  await session?.stop()
  session = undefined
  // The monitor ends with its tmux server (SIGHUP); make sure of it by its pid.
  const pid = Number(await readFile(monitorPidFile, 'utf8').catch(() => ''))
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  await killLeftovers()
  await rm(dir, {recursive: true, force: true})
})

/** A service's row in the Services table: host, binary, topic, zone, then what `rest` says. */
const row = (host: string, rest: string): RegExp => new RegExp(`^. ${host}\\s+steward-reloadable\\s+reloadable\\s+\\S+\\s+${rest}`, 'm')

/**
 * `steward monitor` in a 120×30 terminal, run as a user would: without CI (Ink draws nothing live
 * with it), NODE_ENV or STEWARD_* variables. A marker is printed first, and the shell stays after
 * the monitor, so the screen after `q` is the terminal as the user finds it.
 */
async function startMonitor(): Promise<TmuxSession> {
  const unset = Object.fromEntries(Object.keys(process.env).filter((key) => key.startsWith('STEWARD_') || key === 'NODE_ENV').map((key) => [key, undefined]))
  const monitor = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(repoRoot, 'bin', 'run.js'))} monitor`
  // The inner sh records its pid and becomes the monitor (exec), so afterEach can kill it by pid.
  const command = `printf '${BEFORE}\\n'; sh -c 'echo $$ > "$0"; exec ${monitor.replaceAll("'", "'\\''")}' ${JSON.stringify(monitorPidFile)}; echo "EXIT-$?"; exec sleep 600`
  return TmuxSession.start(command, {columns: 120, rows: 30, cwd: dir, env: {...unset, CI: undefined}})
}

describe.skipIf(!tmuxAvailable())('steward monitor in a real terminal, watching two real hosts', () => {
  test('shows both hosts, disables by key, shows a reload with its file, turns a killed host down, and q gives the terminal back', async () => {
    const [alpha] = (await Promise.all([startHost(dir, 'alpha', ['reloadable']), startHost(dir, 'bravo', ['reloadable'])])) as [StewardProcess, StewardProcess]

    session = await startMonitor()
    // Each host's group, up, with its service under it.
    const services = await session.waitUntil(
      (screen) => ['alpha', 'bravo'].every((host) => new RegExp(`^▸ ${host} ▲ up · 1 service\\n${row(host, 'enabled\\s+▲ up').source.slice(1)}`, 'm').test(screen)),
      'both hosts and their services, up',
      WAIT,
    )
    expect(services).toContain('[1 Services]')
    expect(services).not.toContain(BEFORE)

    // The Logs view has the tail of what both hosts logged before the monitor started.
    await session.sendKeys('Tab', 'Tab', 'Tab')
    await session.waitFor('[4 Logs]', WAIT)
    const logs = await session.waitUntil((screen) => /INFO\s+alpha host alpha running/.test(screen) && /INFO\s+bravo host bravo running/.test(screen), 'both hosts\' startup lines in the Logs view', WAIT)
    expect(logs).toMatch(/Logs of all hosts · level ≥ debug · \d+ lines · following/)
    expect(logs).toMatch(/INFO\s+bravo started\b/)

    // Select bravo's service and disable it with a reason, by key.
    await session.type('1')
    await session.waitFor('[1 Services]', WAIT)
    await session.type('j')
    await session.waitFor(/^› bravo\s+steward-reloadable/m, WAIT)
    await session.type('d')
    await session.waitFor('Disable steward-reloadable on bravo; reason (enter; esc cancels):', WAIT)
    await session.type(REASON)
    await session.sendKeys('Enter')
    await session.waitFor(`? Disable steward-reloadable on bravo (${REASON})? [y/N]`, WAIT)
    await session.type('y')
    await session.waitFor('Disabled steward-reloadable on bravo.', WAIT)
    await session.waitUntil((screen) => row('bravo', 'disabled').test(screen) && row('alpha', 'enabled').test(screen), 'bravo disabled, alpha enabled', WAIT)
    const listed = await runJson<ServiceView[]>(['services', 'list'], {cwd: dir})
    const byHost = listed.map(({host, status, disabledReason}) => ({host, status, disabledReason})).sort((x, y) => x.host.localeCompare(y.host))
    expect(byHost).toEqual([
      {host: 'alpha', status: 'enabled', disabledReason: null},
      {host: 'bravo', status: 'disabled', disabledReason: REASON},
    ])

    // Save a driver file: both hosts reload their service; the table counts it, bravo's detail names the file.
    await editFile(path.join(pluginDir, 'labelled-driver.ts'), "LABEL = 'v1'", "LABEL = 'v2'")
    // GEN/RL follows state and heartbeat age.
    await session.waitUntil((screen) => row('alpha', 'enabled\\s+. \\S+\\s+\\S+\\s+2/1 ').test(screen) && row('bravo', 'disabled\\s+. \\S+\\s+\\S+\\s+2/1 ').test(screen), 'generation 2 after 1 reload on both hosts', WAIT)
    await session.sendKeys('Enter')
    const detail = await session.waitFor(/Last reload\s+✔ ok · plugins\/reloadable\/labelled-driver\.ts · \d\d:\d\d:\d\d · generation 2 · /, WAIT)
    expect(detail).toContain('[2 Detail]')
    expect(detail).toContain(REASON)

    // The Logs view has both hosts' reload lines, with the file.
    await session.type('4')
    await session.waitUntil(
      (screen) => ['alpha', 'bravo'].every((host) => new RegExp(`INFO\\s+${host} reloaded: generation 2 serves \\(plugins/reloadable/labelled-driver\\.ts, \\d+ ms\\)`).test(screen)),
      'both hosts\' reload lines in the Logs view',
      WAIT,
    )

    // Kill alpha: with no heartbeat its service turns down; bravo's stays up.
    await session.type('1')
    await session.waitFor('[1 Services]', WAIT)
    process.kill(alpha.child.pid!, 'SIGKILL')
    await alpha.exited
    await session.waitUntil((screen) => row('alpha', 'enabled\\s+▼ down').test(screen) && row('bravo', 'disabled\\s+▲ up').test(screen), 'alpha down, bravo up', WAIT)

    // q: the terminal is as it was before the monitor, and nothing of the dashboard remains.
    await session.type('q')
    const after = await session.waitFor('EXIT-0', WAIT)
    expect(after).toContain(BEFORE)
    expect(after).not.toContain('steward-reloadable')
    expect(after).not.toContain('[1 Services]')
    expect(after).not.toContain('alpha')
  }, 180_000)
})
