/**
 * The demo `npm start` runs: `steward start` with the repository's steward.json (api + scheduler +
 * share with two localfs backends + sysinfo, one host), in a test directory of its own and on a
 * port the system picks. What it prints is pasted into a shell, as a newcomer would.
 */
import {execFile} from 'node:child_process'
import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterEach, describe, expect, it} from 'vitest'
import {killLeftovers, makeTestDir, repoRoot, StewardProcess, writeConfig} from '../helpers/steward-process.js'
import {TmuxSession, tmuxAvailable} from '../helpers/tmux.js'

let session: TmuxSession | undefined
afterEach(async () => {
  await session?.stop()
  session = undefined
  await killLeftovers()
})

/** A directory with the repository's steward.json, but quick heartbeats and any free port. */
async function demoDir(): Promise<string> {
  const dir = await makeTestDir('steward-demo-')
  const shipped = JSON.parse(await readFile(path.join(repoRoot, 'steward.json'), 'utf8')) as Record<string, unknown>
  await writeConfig(dir, {...shipped, api_listen_port: 0, report_interval: 1, periodic_fuzzy_delay: 0})
  return dir
}

describe('the demo of npm start', () => {
  it('prints the API URL and a curl command that, pasted into a shell, creates a share in a directory under the state dir', async () => {
    const dir = await demoDir()
    const host = new StewardProcess(['start', '--host', 'demo'], {cwd: dir})
    await host.waitForOutput(/Try curl .*\n/)
    const {output} = host
    const url = /^API (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output)?.[1]
    expect(url).toBeDefined()
    const curl = /^Try (curl .*)$/m.exec(output)![1]!
    expect(curl).toBe(`curl -s -X POST -H 'Content-Type: application/json' -d '{"size":1,"name":"demo"}' ${url}/v2/shares`)
    expect(output).toMatch(/host demo starting steward-scheduler, steward-share@alpha, steward-share@beta, steward-sysinfo, steward-api/)

    const {stdout} = await promisify(execFile)('sh', ['-c', curl])
    const {share} = JSON.parse(stdout) as {share: {id: string; status: string; name: string; host: string}}
    expect(share).toMatchObject({status: 'creating', name: 'demo', host: expect.stringMatching(/^demo@(alpha|beta)#localfs$/)})
    await host.waitForOutput(new RegExp(`share ${share.id} available`))
    // Each backend's root is .steward/shares/{host}: demo@alpha, demo@beta.
    const backend = share.host.slice(0, share.host.indexOf('#'))
    expect((await stat(path.join(dir, '.steward', 'shares', backend, share.id))).isDirectory()).toBe(true)
  })

  it.skipIf(!tmuxAvailable())('opens the dashboard in a terminal, with the API URL and the curl command in its status line', async () => {
    const dir = await demoDir()
    const bin = path.join(repoRoot, 'bin', 'run.js')
    session = await TmuxSession.start(`${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} start --host demo2; exec sleep 600`, {columns: 200, rows: 30, cwd: dir})
    const screen = await session.waitFor(/demo2@alpha +steward-share[^\n]*up[\s\S]*demo2@beta +steward-share[^\n]*up/, {timeoutMs: 30_000})
    expect(screen).toMatch(/^API http:\/\/127\.0\.0\.1:(\d+) · Try curl -s -X POST -H 'Content-Type: application\/json' -d '\{"size":1,"name":"demo"\}' http:\/\/127\.0\.0\.1:\1\/v2\/shares$/m)
    expect(screen).toMatch(/demo2 +steward-scheduler[^\n]*up/)
  })
})
