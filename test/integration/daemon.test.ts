import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {HostStatus} from '../../src/commands/status.js'
import type {ServiceView} from '../../src/service/service-state.js'
import {isProcessAlive} from '../../src/store/process-liveness.js'
import {fixturePlugins} from '../helpers/rpc-hosts.js'
import {eventually, killLeftovers, makeTestDir, runCli, runJson, StewardProcess, writeConfig} from '../helpers/steward-process.js'

const baseConfig = {plugin_dirs: [fixturePlugins], report_interval: 1, periodic_fuzzy_delay: 0, api_listen_port: 0}

/** Hosts started with --detach are no children of the test: killed by pid after each test. */
const detached = new Set<number>()

afterEach(async () => {
  for (const pid of detached) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL')
  detached.clear()
  await killLeftovers()
})

const status = (dir: string, ...args: string[]): Promise<HostStatus[]> => runJson<HostStatus[]>(['status', ...args], {cwd: dir})
const services = (dir: string): Promise<ServiceView[]> => runJson<ServiceView[]>(['services', 'list'], {cwd: dir})

async function post(url: string, body: unknown): Promise<{status: number; body: Record<string, unknown>}> {
  const response = await fetch(url, {method: 'POST', headers: {'content-type': 'application/json', connection: 'close'}, body: JSON.stringify(body)})
  return {status: response.status, body: (await response.json()) as Record<string, unknown>}
}

async function apiUrl(dir: string, host: string): Promise<string> {
  const [record] = await status(dir, '--host', host)
  return record!.apis[0]!.url
}

describe('steward start --detach, status, logs, stop', () => {
  it('runs a host in the background that status, logs and stop find, and refuses a second start of it', async () => {
    const dir = await makeTestDir('steward-daemon-')
    await writeConfig(dir, baseConfig)
    const started = await runCli(['start', 'probe', '--host', 'd1', '--detach'], {cwd: dir})
    expect(started.code).toBe(0)
    const pid = Number(/\(pid (\d+)\)/.exec(started.stdout)![1])
    detached.add(pid)
    expect(started.stdout).toContain(path.join(dir, 'state', 'logs', 'd1.log'))
    expect(Number(await readFile(path.join(dir, 'state', 'run', 'd1.pid'), 'utf8'))).toBe(pid)

    const [host] = await status(dir)
    expect(host).toMatchObject({name: 'd1', pid, running: true, state: 'up', services: [{binary: 'steward-probe', host: 'd1', state: 'up', status: 'enabled'}]})
    expect(host!.uptime).toBeGreaterThanOrEqual(0)
    const text = await runCli(['status'], {cwd: dir})
    expect(text.stdout).toMatch(new RegExp(`d1 +running \\(up\\) +pid ${pid}`))

    // A second start, in the background or not, says so and leaves the first one alone.
    for (const args of [['--detach'], ['--no-dashboard']]) {
      const second = await runCli(['start', 'probe', '--host', 'd1', ...args], {cwd: dir})
      expect(second.code).toBe(1)
      expect(second.stderr).toMatch(/Host d1 already runs \(pid \d+\)/)
      expect(second.stderr).toMatch(/Code: HOST_ALREADY_RUNNING/)
    }
    expect((await status(dir))[0]).toMatchObject({pid, running: true})

    const logs = await runCli(['logs', '--host', 'd1'], {cwd: dir})
    expect(logs.stdout).toMatch(/host d1 running/)
    const serviceLines = await runJson<Array<{service: string | null}>>(['logs', '--host', 'd1', '--service', 'probe'], {cwd: dir})
    expect(serviceLines.length).toBeGreaterThan(0)
    for (const line of serviceLines) expect(line.service).toBe('steward-probe@d1')

    // -f prints what the host logs from now on.
    const follow = new StewardProcess(['logs', '--host', 'd1', '-f', '-n', '0'], {cwd: dir})
    await eventually(async () => {
      await runCli(['cast', 'probe', 'record', '{"tag":"followed"}'], {cwd: dir})
      return /probe recorded followed/.test(follow.output) ? true : undefined
    }, 'logs -f to print a new line')
    follow.kill('SIGINT')
    await follow.exited

    const stopped = await runJson<{host: string; pid: number; signal: string}>(['stop', '--host', 'd1'], {cwd: dir})
    expect(stopped).toMatchObject({host: 'd1', pid, signal: 'SIGTERM'})
    expect(isProcessAlive(pid)).toBe(false)
    expect((await status(dir))[0]).toMatchObject({running: false, state: 'stopped', uptime: null, services: [{state: 'stopped'}]})
    const again = await runCli(['stop', '--host', 'd1'], {cwd: dir})
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/Code: HOST_NOT_RUNNING/)
  })

  it('reports why a background host could not start', async () => {
    const dir = await makeTestDir('steward-daemon-')
    await writeConfig(dir, baseConfig)
    const failed = await runCli(['start', 'nosuchtopic', '--host', 'd2', '--detach'], {cwd: dir})
    expect(failed.code).not.toBe(0)
    expect(failed.stderr).toMatch(/Code: MANAGER_NOT_FOUND/)
  })
})

describe('a host with api_workers: 2', () => {
  it('finishes an API request in flight on SIGTERM, then exits 0 with its services stopped', async () => {
    const dir = await makeTestDir('steward-daemon-')
    await writeConfig(dir, {...baseConfig, api_workers: 2})
    const host = new StewardProcess(['start', 'probe', 'api', '--host', 'w1'], {cwd: dir})
    await host.waitForOutput(/host w1 running/)
    const [record] = await status(dir, '--host', 'w1')
    expect(record!.workers.map((worker) => worker.state)).toEqual(['running', 'running'])

    const slow = post(`${await apiUrl(dir, 'w1')}/v1/rpc/probe/slow`, {args: {ms: 1500}})
    await host.waitForOutput(/probe slow call of 1500 ms started/)
    host.kill('SIGTERM')
    expect(await slow).toEqual({status: 200, body: {result: {slept: 1500, host: 'w1'}}})
    expect(await host.exited).toEqual({code: 0, signal: null})
    expect((await services(dir)).map((service) => service.state)).toEqual(['stopped'])
    expect((await status(dir))[0]).toMatchObject({running: false, apis: [], workers: []})
  })

  it('replaces a worker killed with SIGKILL, and status shows the new one', async () => {
    const dir = await makeTestDir('steward-daemon-')
    await writeConfig(dir, {...baseConfig, api_workers: 2})
    const host = new StewardProcess(['start', 'probe', 'api', '--host', 'w2'], {cwd: dir})
    await host.waitForOutput(/host w2 running/)
    const [record] = await status(dir)
    const [first, second] = record!.workers.map((worker) => worker.pid!)
    process.kill(first!, 'SIGKILL')
    await host.waitForOutput(new RegExp(`worker api#1 \\(pid ${first}\\) exited \\(SIGKILL\\)`))
    await host.waitForOutput(/worker api#1 \(pid \d+\) ready[\s\S]*$/)
    const workers = await eventually(async () => {
      const [now] = await status(dir)
      return now!.workers[0]!.pid !== first && now!.workers[0]!.state === 'running' ? now!.workers : undefined
    }, 'status to show the new worker')
    expect(workers[1]!.pid).toBe(second)
    expect(workers[0]!.restarts).toBe(1)
    const answer = await fetch(`${await apiUrl(dir, 'w2')}/healthz`)
    expect(answer.status).toBe(200)
    host.kill('SIGTERM')
    expect((await host.exited).code).toBe(0)
  })

  it('leaves workers that keep failing at start errored, shown by status, while the host runs on', async () => {
    const dir = await makeTestDir('steward-daemon-')
    // Every worker fails to build its application (an unknown pipeline entry); the host's services run on.
    await writeConfig(dir, {...baseConfig, api_workers: 2, api_pipeline: ['core', 'no-such-routes'], worker_max_restarts: 1})
    const host = new StewardProcess(['start', 'probe', 'api', '--host', 'w4'], {cwd: dir})
    await host.waitForOutput(/host w4 running/)
    expect(host.output.match(/it is errored and not restarted/g)).toHaveLength(2)
    const [record] = await status(dir)
    expect(record!.workers.map(({state, unstableExits, restarts}) => ({state, unstableExits, restarts}))).toEqual([
      {state: 'errored', unstableExits: 2, restarts: 1},
      {state: 'errored', unstableExits: 2, restarts: 1},
    ])
    expect(record!.services).toMatchObject([{binary: 'steward-probe', state: 'up'}])
    expect((await runCli(['status'], {cwd: dir})).stdout).toMatch(/api#1 errored after 2 unstable exits/)
    host.kill('SIGTERM')
    expect((await host.exited).code).toBe(0)
  })

  it('reloads on SIGHUP twice in a row, answering throughout, with a configuration change visible', async () => {
    const dir = await makeTestDir('steward-daemon-')
    const file = await writeConfig(dir, {...baseConfig, api_workers: 2, probe: {greeting: 'before'}})
    const host = new StewardProcess(['start', 'probe', 'api', '--host', 'w3'], {cwd: dir})
    await host.waitForOutput(/host w3 running/)
    const url = await apiUrl(dir, 'w3')
    const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
    await writeFile(file, JSON.stringify({...config, probe: {greeting: 'after'}}))

    host.kill('SIGHUP')
    await host.waitForOutput(/SIGHUP received: reloading/)
    host.kill('SIGHUP')
    const reloaded = host.waitForOutput(/reload done[\s\S]*reload done/)
    let done = false
    void reloaded.then(() => (done = true))
    let answered = 0
    while (!done) {
      // A route of the pipeline (/healthz of a retiring worker answers 503 "stopping", by design).
      const response = await fetch(`${url}/v1/services`, {headers: {connection: 'close'}, signal: AbortSignal.timeout(10_000)}).catch((error: unknown) => {
        throw new Error(`GET /v1/services after ${answered} answers: ${String(error)}\n${host.output}`)
      })
      expect(response.status).toBe(200)
      await response.body?.cancel()
      answered++
    }
    await reloaded
    expect(answered).toBeGreaterThan(0)
    expect(host.output).not.toMatch(/reload failed|exiting at once/)

    const {body} = await post(`${url}/v1/rpc/probe/serviceConfig`, {})
    expect(body.result).toMatchObject({greeting: 'after'})
    host.kill('SIGTERM')
    expect(await host.exited).toEqual({code: 0, signal: null})
  })
})

describe('SIGHUP and the log', () => {
  it('applies log_format and log_level on SIGHUP, from the next line on', async () => {
    const dir = await makeTestDir('steward-daemon-')
    const file = await writeConfig(dir, baseConfig)
    const host = new StewardProcess(['start', 'probe', '--host', 'w4'], {cwd: dir})
    const written = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
    await host.waitForOutput(/host w4 running/)
    await writeFile(file, JSON.stringify({...written, log_format: 'json'}))
    host.kill('SIGHUP')
    // Read under the old format, answered under the new one.
    await host.waitForOutput(/INFO {2}SIGHUP received: reloading/)
    await host.waitForOutput(/^\{"time":"[^"]+","level":"info","msg":"reload done"\}$/m)

    // Now warnings only: the warning about an option that waits for the next start shows, the
    // reload's own info lines do not, until a third SIGHUP brings info back.
    await writeFile(file, JSON.stringify({...written, log_format: 'json', log_level: 'warn', report_interval: 2}))
    const before = host.output.length
    host.kill('SIGHUP')
    await host.waitForOutput(/"level":"warn","msg":"configuration reloaded; report_interval changed but take effect at the next start"/)
    await writeFile(file, JSON.stringify({...written, log_format: 'json', report_interval: 2}))
    host.kill('SIGHUP')
    await host.waitForOutput(/"msg":"reload done"[^\n]*\n[\s\S]*"msg":"reload done"/)
    // The SIGHUP that lowers the level is logged before it reads the file; then nothing below a
    // warning (the third SIGHUP's arrival, generation 3, the reload done) until the third reload.
    const after = host.output
      .slice(before)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {level: string; msg: string})
    expect(after.map(({level, msg}) => `${level} ${msg.replace(/ \(SIGHUP, \d+ ms\)$/, '')}`)).toEqual([
      'info SIGHUP received: reloading the configuration and plugins',
      'warn configuration reloaded; report_interval changed but take effect at the next start',
      'warn configuration reloaded; report_interval changed but take effect at the next start',
      'info reloaded: generation 4 serves',
      'info reload done',
    ])
    host.kill('SIGTERM')
    expect((await host.exited).code).toBe(0)
  })
})
