import {stat} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {MonitorModel} from '../../src/monitor/telemetry.js'
import type {ServiceView} from '../../src/service/service-state.js'
import {eventually, killLeftovers, makeTestDir, repoRoot, runJson, StewardProcess, writeConfig} from '../helpers/steward-process.js'

const hostConfig = {report_interval: 1, periodic_fuzzy_delay: 0, service_down_time: 4, sysinfo: {driver: 'node-os'}}

async function startHost(dir: string, host: string): Promise<StewardProcess> {
  const process = new StewardProcess(['start', 'sysinfo', '--host', host], {cwd: dir})
  await process.waitForOutput(new RegExp(`host ${host} running`))
  return process
}

const list = (dir: string, ...args: string[]): Promise<ServiceView[]> => runJson<ServiceView[]>(['services', 'list', ...args], {cwd: dir})

afterEach(killLeftovers)

describe('a host process', () => {
  it('runs its services up, and a SIGTERM stops them gracefully so they read stopped', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, hostConfig)
    const host = await startHost(dir, 'h1')

    const [service] = await list(dir)
    expect(service).toMatchObject({host: 'h1', binary: 'steward-sysinfo', topic: 'sysinfo', zone: 'nova', status: 'enabled', state: 'up', disabledReason: null})
    expect(service!.reportCount).toBeGreaterThan(0)

    host.kill('SIGTERM')
    expect(await host.exited).toEqual({code: 0, signal: null})
    expect(host.output).toMatch(/SIGTERM received: stopping gracefully/)
    expect((await list(dir)).map((record) => record.state)).toEqual(['stopped'])
  })

  it('tells monitors which driver its manager loaded, from which plugin', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, hostConfig)
    await startHost(dir, 'drv')
    const model = await runJson<MonitorModel>(['monitor', '--once'], {cwd: dir})
    expect(model.services[0]?.telemetry).toMatchObject({drivers: [{name: 'node-os', family: 'SysinfoDriver', plugin: {name: 'steward-plugin-sysinfo'}}], capabilities: null})
  })

  it('leaves its services down, not stopped, once service_down_time has passed after kill -9', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, hostConfig)
    const host = await startHost(dir, 'h2')
    host.kill('SIGKILL')
    await host.exited

    const down = await eventually(async () => {
      const [service] = await list(dir)
      expect(service!.state).not.toBe('stopped')
      return service!.state === 'down' ? service : undefined
    }, 'the killed host to read down')
    const age = Date.now() - Date.parse(down.updatedAt!)
    expect(age).toBeGreaterThan(hostConfig.service_down_time * 1000)
  })

  it('refuses a second host of the same name, also when both start at once: one runs, one record', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, hostConfig)
    const first = new StewardProcess(['start', 'sysinfo', '--host', 'twin'], {cwd: dir})
    const second = new StewardProcess(['start', 'sysinfo', '--host', 'twin'], {cwd: dir})
    // One of them gets the name; the other exits at once with HOST_ALREADY_RUNNING.
    const refused = await Promise.race([first.exited.then(() => first), second.exited.then(() => second)])
    const running = refused === first ? second : first
    expect((await refused.exited).code).toBe(1)
    expect(refused.output).toMatch(/Code: HOST_ALREADY_RUNNING/)
    await running.waitForOutput(/host twin running/)
    const records = await list(dir, '--host', 'twin')
    expect(records.map((record) => record.state)).toEqual(['up'])

    // Once it has stopped, the name is free again.
    running.kill('SIGTERM')
    expect((await running.exited).code).toBe(0)
    const again = await startHost(dir, 'twin')
    again.kill('SIGTERM')
    await again.exited
  })

  it('takes over the name of a host that was killed with SIGKILL', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, hostConfig)
    const killed = await startHost(dir, 'phoenix')
    killed.kill('SIGKILL')
    await killed.exited
    const again = await startHost(dir, 'phoenix')
    again.kill('SIGTERM')
    expect((await again.exited).code).toBe(0)
  })

  it('is what `npm start` runs: the bundled system of the repository configuration', async () => {
    const dir = await makeTestDir()
    const stateDir = path.join(dir, 'state')
    // Any free port for the API, so a demo running on this machine does not matter.
    const npm = new StewardProcess(['start', '--', '--state-dir', stateDir, '--host', 'npm-host'], {cwd: repoRoot, command: ['npm', '--silent'], env: {STEWARD_API_LISTEN_PORT: '0'}})
    await npm.waitForOutput(/host npm-host running/)
    const services = await list(dir, '--state-dir', stateDir)
    expect(services.map(({binary, host, state}) => ({binary, host, state}))).toEqual([
      {binary: 'steward-scheduler', host: 'npm-host', state: 'up'},
      {binary: 'steward-share', host: 'npm-host@alpha', state: 'up'},
      {binary: 'steward-share', host: 'npm-host@beta', state: 'up'},
      {binary: 'steward-sysinfo', host: 'npm-host', state: 'up'},
    ])
    // The shares' directories are under the state directory given, not the repository's.
    expect((await stat(path.join(stateDir, 'shares', 'npm-host@alpha', '.quotas'))).isDirectory()).toBe(true)
    npm.kill('SIGTERM')
    await npm.exited
    await eventually(async () => ((await list(dir, '--state-dir', stateDir)).every((service) => service.state === 'stopped') ? true : undefined), 'the npm-started host to stop')
  })
})
