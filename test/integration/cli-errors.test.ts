import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {killLeftovers, makeTestDir, repoRoot, runCli, StewardProcess, writeConfig} from '../helpers/steward-process.js'

afterEach(killLeftovers)

const fixturePlugins = path.join(repoRoot, 'test', 'fixtures', 'plugins')

/** A failing command: its exit status, and stderr without a stack trace. */
async function fails(args: string[], dir: string): Promise<{code: number | null; stderr: string}> {
  const result = await runCli(args, {cwd: dir})
  expect(result.code).not.toBe(0)
  expect(result.stderr).not.toMatch(/^\s+at /m)
  return result
}

describe('clear errors', () => {
  it('an invalid config value names the file, the key, the expectation and the finding', async () => {
    const dir = await makeTestDir()
    const file = await writeConfig(dir, {report_interval: 'ten'})
    const {code, stderr} = await fails(['services', 'list'], dir)
    expect(code).toBe(78)
    expect(stderr).toContain(`Invalid configuration file ${file}: report_interval must be a number ≥ 0, found "ten" (string).`)
    expect(stderr).toContain('CONFIG_INVALID')
  })

  it('an invalid environment value names the variable', async () => {
    const dir = await makeTestDir()
    const result = await runCli(['config', 'show'], {cwd: dir, env: {STEWARD_SERVICE_DOWN_TIME: '0'}})
    expect(result.code).toBe(78)
    expect(result.stderr).toContain('environment variable STEWARD_SERVICE_DOWN_TIME: service_down_time must be a number ≥ 1, found "0"')
  })

  it('a missing store file says no host has run with that state directory', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, {})
    const {code, stderr} = await fails(['services', 'list'], dir)
    expect(code).toBe(66)
    expect(stderr).toContain(path.join(dir, 'state', 'steward.json'))
    expect(stderr).toContain('STORE_NOT_FOUND')
  })

  it('a broken store file names the file and the way to recover', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, {})
    await mkdir(path.join(dir, 'state'))
    await writeFile(path.join(dir, 'state', 'steward.json'), '{"version": 1, "services": [')
    const {code, stderr} = await fails(['services', 'list', '--json'], dir)
    expect(code).toBe(65)
    const result = await runCli(['services', 'list', '--json'], {cwd: dir})
    const {error} = JSON.parse(result.stdout) as {error: {code: string; message: string}}
    expect(error.code).toBe('STORE_CORRUPT')
    expect(error.message).toContain(path.join(dir, 'state', 'steward.json'))
    expect(stderr + result.stdout).toMatch(/\.bak|move/)
  })

  it('an unknown manager fails the start with the managers known', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, {})
    const host = new StewardProcess(['start', 'nosuch', '--host', 'h'], {cwd: dir})
    const {code} = await host.exited
    expect(code).toBe(78)
    expect(host.output).toContain('No plugin provides a manager named "nosuch"')
    expect(host.output).toContain('Code: MANAGER_NOT_FOUND')
    expect(host.output).toContain('Known managers: scheduler, share, sysinfo')
    expect(host.output).not.toMatch(/^\s+at /m)
  })

  it('an unknown driver fails the start', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, {sysinfo: {driver: 'nosuch'}})
    const host = new StewardProcess(['start', 'sysinfo', '--host', 'h'], {cwd: dir})
    expect((await host.exited).code).toBe(78)
    expect(host.output).toContain('No plugin provides a driver named "nosuch"')
    expect(host.output).toContain('DRIVER_NOT_FOUND')
  })

  it('a driver missing a required method fails the start, naming the method', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, {plugin_dirs: [fixturePlugins], sysinfo: {driver: 'incomplete'}})
    const host = new StewardProcess(['start', 'sysinfo', '--host', 'h'], {cwd: dir})
    expect((await host.exited).code).toBe(70)
    expect(host.output).toContain('Driver "incomplete" does not implement sample, required of every SysinfoDriver.')
    expect(host.output).toContain('DRIVER_MISSING_METHOD')
  })

  it('start with nothing to run says how to name topics', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, {})
    const {code, stderr} = await fails(['start'], dir)
    expect(code).toBe(78)
    expect(stderr).toContain('No services to start.')
  })
})
