import {once} from 'node:events'
import http from 'node:http'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {isProcessAlive} from '../../src/store/process-liveness.js'
import {eventually, killLeftovers, makeTestDir, repoRoot, StewardProcess} from '../helpers/steward-process.js'

// The launcher as built (dist/), serving test/fixtures/launcher/http-server.mjs: real processes,
// real HTTP. npm test builds first.
const fixture = path.join(repoRoot, 'test', 'fixtures', 'launcher', 'serve-fixture.mjs')

interface Answer {
  pid: number
  slot: number
  greeting: string
}

/** One request on a connection of its own, so the primary hands each to the next worker. */
function get(port: number, pathname = '/'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http
      .get({host: '127.0.0.1', port, path: pathname, agent: false, timeout: 10_000}, (response) => {
        let body = ''
        response.on('data', (chunk: Buffer) => (body += chunk.toString()))
        response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(body) as Answer) : reject(new Error(`HTTP ${response.statusCode}: ${body}`))))
      })
      .on('error', reject)
    // Fail with a message rather than hang the test when an answer never comes.
    request.on('timeout', () => request.destroy(new Error(`no answer to GET ${pathname} on port ${port} in 10 s`)))
  })
}

/** The pids that answer `count` requests in a row. */
async function pidsAnswering(port: number, count: number): Promise<Set<number>> {
  const pids = new Set<number>()
  for (let index = 0; index < count; index++) pids.add((await get(port)).pid)
  return pids
}

async function launch(settings: Record<string, unknown>, workers: number): Promise<{primary: StewardProcess; port: number; config: string}> {
  const dir = await makeTestDir('steward-launcher-')
  const config = path.join(dir, 'fixture.json')
  await writeFile(config, JSON.stringify(settings))
  const primary = new StewardProcess([config, String(workers)], {cwd: dir, command: [process.execPath, fixture]})
  closed = once(primary.child, 'close')
  if (settings.crashAtStart) return {primary, port: 0, config}
  await primary.waitForOutput(/fixture serving/)
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(primary.output)![1])
  return {primary, port, config}
}

function workerPids(output: string): number[] {
  return [...output.matchAll(/worker fixture#\d \(pid (\d+)\) ready/g)].map((match) => Number(match[1]))
}

/** The last launched primary's output streams are done (its exit comes before them). */
let closed: Promise<unknown> = Promise.resolve()

afterEach(killLeftovers)

describe('a process launcher with two workers', () => {
  it('serves from both; a worker killed with SIGKILL is replaced while the other serves on', async () => {
    const {primary, port} = await launch({greeting: 'hello'}, 2)
    const [first, second] = workerPids(primary.output)
    expect(await pidsAnswering(port, 4)).toEqual(new Set([first, second]))

    process.kill(first!, 'SIGKILL')
    // Once the primary has seen the exit, connections go to live workers only: every request is
    // answered, by the survivor or the new one. (A connection the primary hands to a worker at the
    // instant it is killed is lost with it, as its requests in flight are: node:cluster's limit.)
    await primary.waitForOutput(/worker fixture#\d \(pid \d+\) exited \(SIGKILL\); restarting it/)
    const during = await pidsAnswering(port, 4)
    expect(during.has(first!)).toBe(false)
    await primary.waitForOutput(new RegExp(`(pid (?!${first}\\b)(?!${second}\\b)\\d+\\) ready)`))
    const [, , third] = workerPids(primary.output)
    expect(third).toBeDefined()
    expect(await pidsAnswering(port, 4)).toEqual(new Set([second, third]))

    primary.kill('SIGTERM')
    expect(await primary.exited).toEqual({code: 0, signal: null})
  })

  it('leaves a worker that crashes at start errored after a few tries, instead of forking it forever', async () => {
    const {primary} = await launch({crashAtStart: true}, 2)
    // maxRestarts is 2 in the fixture: 3 starts per slot, then errored; with every slot errored
    // serve() fails and the process exits non-zero.
    const {code} = await primary.exited
    await closed
    expect(code).not.toBe(0)
    expect(primary.output.match(/worker failed to start: .*crashes at start/g)).toHaveLength(6)
    expect(primary.output.match(/restarting it in \d+ ms/g)).toHaveLength(4)
    expect(primary.output.match(/it is errored and not restarted/g)).toHaveLength(2)
    expect(primary.output).toMatch(/No fixture worker could start/)
  })

  it('finishes a slow request in flight on SIGTERM, then exits 0', async () => {
    const {primary, port} = await launch({greeting: 'hello'}, 2)
    const slow = get(port, '/slow?ms=1500')
    await primary.waitForOutput(/slow request started/)
    primary.kill('SIGTERM')
    expect(await slow).toMatchObject({greeting: 'hello'})
    expect(await primary.exited).toEqual({code: 0, signal: null})
    expect(primary.output).toMatch(/fixture stopped/)
  })

  it('reloads on SIGHUP twice in a row, serving throughout, with the new configuration', async () => {
    const {primary, port, config} = await launch({greeting: 'before'}, 2)
    const before = new Set(workerPids(primary.output))
    await writeFile(config, JSON.stringify({greeting: 'after'}))
    // Two signals sent back to back may reach the process as one (POSIX does not queue them):
    // send the second once the first is being handled.
    primary.kill('SIGHUP')
    await primary.waitForOutput(/SIGHUP received: reloading/)
    primary.kill('SIGHUP')
    // Requests all through the reloads: none fails.
    const reloaded = primary.waitForOutput(/reload done[\s\S]*reload done/)
    let done = false
    void reloaded.then(() => (done = true))
    const answers: Answer[] = []
    while (!done) answers.push(await get(port))
    await reloaded
    expect(answers.length).toBeGreaterThan(0)
    const after = [...(await pidsAnswering(port, 4))]
    expect(after.some((pid) => before.has(pid))).toBe(false)
    for (const pid of after) expect(before.has(pid)).toBe(false)
    expect((await get(port)).greeting).toBe('after')
    expect(primary.output).not.toMatch(/exiting at once/)

    primary.kill('SIGTERM')
    expect(await primary.exited).toEqual({code: 0, signal: null})
  })

  it('ends its workers when the launcher process dies', async () => {
    const {primary} = await launch({greeting: 'hello'}, 2)
    const pids = workerPids(primary.output)
    primary.kill('SIGKILL')
    await primary.exited
    // They are not this process's children: their exit can only be observed by probing.
    await eventually(async () => (pids.every((pid) => !isProcessAlive(pid)) ? true : undefined), 'the workers to exit')
  })
})
