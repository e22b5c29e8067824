/**
 * Plugins installed, linked and uninstalled while a host runs: a real host process, the real
 * `steward plugins` commands (offline npm, a home of the test's own), no restart in between.
 */
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {makePluginHome, packPlugin} from '../helpers/plugin-home.js'
import {fixturePlugins} from '../helpers/rpc-hosts.js'
import {killLeftovers, runCli, runJson, StewardProcess, writeConfig} from '../helpers/steward-process.js'

afterEach(killLeftovers)

const greeter = path.join(fixturePlugins, 'cli-greeter')

interface Summary {
  binary: string
  state: string
}

describe('a running host and the plugins installed or linked meanwhile', () => {
  it('starts the manager of a plugin linked after it started, and stops it cleanly when the plugin is uninstalled', async () => {
    const home = await makePluginHome()
    await writeConfig(home.dir, {report_interval: 1})
    const options = {cwd: home.dir, env: home.env}
    const host = new StewardProcess(['start', 'sysinfo', '--host', 'A'], options)
    await host.waitForOutput(/host A running/)

    const before = await runCli(['services', 'start', 'greeter', '--host', 'A'], options)
    expect(before.code).not.toBe(0)
    expect(before.stderr).toMatch(/Code: MANAGER_NOT_FOUND/)

    expect((await runCli(['plugins', 'link', greeter], options)).code).toBe(0)
    await host.waitForOutput(/plugin fixture-cli-greeter 1\.0\.0 is available \(linked\): managers \[greeter\]/)
    const started = await runJson<Summary>(['services', 'start', 'greeter', '--host', 'A'], options)
    expect(started).toMatchObject({binary: 'steward-greeter', state: 'running'})
    expect(await runJson(['call', 'greeter', 'greet', '{"name": "linked"}'], options)).toEqual({result: 'hello linked from fixture-cli-greeter'})

    expect((await runCli(['plugins', 'uninstall', 'fixture-cli-greeter'], options)).code).toBe(0)
    await host.waitForOutput(/stopping steward-greeter: its plugin fixture-cli-greeter was removed/)
    await host.waitForOutput(/\[steward-greeter@A\] stopped/)
    const services = await runJson<Array<{binary: string; state: string}>>(['services', 'list'], options)
    expect(services.map((service) => [service.binary, service.state]).sort()).toEqual([
      ['steward-greeter', 'stopped'],
      ['steward-sysinfo', 'up'],
    ])
    expect(await runJson(['call', 'sysinfo', 'serviceVersion'], options)).toEqual({result: expect.stringMatching(/^\d+\.\d+\.\d+/) as string})
  })

  it('starts the manager of a plugin installed from a tarball after it started', async () => {
    const home = await makePluginHome()
    await writeConfig(home.dir, {report_interval: 1})
    const options = {cwd: home.dir, env: home.env}
    const host = new StewardProcess(['start', 'sysinfo', '--host', 'B'], options)
    await host.waitForOutput(/host B running/)

    const tarball = await packPlugin(home, greeter)
    const installed = await runCli(['plugins', 'install', tarball], options)
    expect(installed.code, installed.stderr).toBe(0)
    await host.waitForOutput(/plugin fixture-cli-greeter 1\.0\.0 is available \(installed\)/)
    expect(await runJson<Summary>(['services', 'start', 'greeter', '--host', 'B'], options)).toMatchObject({state: 'running'})
    expect(await runJson(['call', 'greeter', 'greet'], options)).toEqual({result: 'hello world from fixture-cli-greeter'})
  })
})
