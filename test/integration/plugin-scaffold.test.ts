import {execFile} from 'node:child_process'
import {mkdir, symlink} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterEach, describe, expect, it} from 'vitest'
import type {PluginSkeleton} from '../../src/plugins/scaffold/write-plugin-skeleton.js'
import {childEnv, killLeftovers, makeTestDir, repoRoot, runCli, runJson, StewardProcess, writeConfig} from '../helpers/steward-process.js'

afterEach(killLeftovers)

/**
 * What `npm install` would give a scaffolded plugin, offline: steward (this checkout, for
 * steward/testing and its types) and the dev tools, linked into the parent's node_modules.
 */
async function linkDependencies(parent: string): Promise<void> {
  const modules = path.join(parent, 'node_modules')
  await mkdir(path.join(modules, '@types'), {recursive: true})
  await symlink(repoRoot, path.join(modules, 'steward'), 'dir')
  for (const name of ['tsx', 'typescript', '@types/node']) await symlink(path.join(repoRoot, 'node_modules', name), path.join(modules, name), 'dir')
}

/** Run an npm script of the plugin, as its author would. */
async function npmRun(dir: string, script: string): Promise<{stdout: string; stderr: string}> {
  return promisify(execFile)('npm', ['run', '--silent', script], {cwd: dir, env: childEnv({npm_config_update_notifier: 'false'})})
}

describe('steward plugins new', () => {
  it('writes a TypeScript plugin whose own test passes, that typechecks, and that a host runs and answers', async () => {
    const parent = await makeTestDir()
    const skeleton = await runJson<PluginSkeleton>(['plugins', 'new', 'clock', '--dir', parent], {cwd: parent})
    expect(skeleton).toMatchObject({name: 'clock', package: 'steward-plugin-clock', language: 'ts', dir: path.join(parent, 'clock'), manager: 'clock', drivers: ['clock-counter']})
    expect(skeleton.files).toEqual(expect.arrayContaining(['package.json', 'index.ts', 'clock-manager.ts', 'clock-driver.ts', 'drivers/counter.ts', 'README.md', 'test/clock.test.ts']))
    await linkDependencies(parent)

    const tested = await npmRun(skeleton.dir, 'test')
    expect(tested.stdout).toMatch(/^# pass 2$/m)
    expect(tested.stdout).toMatch(/^# fail 0$/m)
    await npmRun(skeleton.dir, 'typecheck')

    await writeConfig(parent, {plugin_dirs: [parent], periodic_fuzzy_delay: 0, clock: {driver: 'clock-counter', start: 100}})
    const host = new StewardProcess(['start', 'clock', '--host', 'h'], {cwd: parent})
    await host.waitForOutput(/host h running/)
    const {result: reading} = await runJson<{result: {value: number}}>(['call', 'clock', 'read'], {cwd: parent})
    expect(reading.value).toBeGreaterThan(100)
    const {result: status} = await runJson<{result: {host: string; last: unknown}}>(['call', 'clock', 'status'], {cwd: parent})
    expect(status).toMatchObject({host: 'h', last: {value: expect.any(Number)}})
    host.kill('SIGTERM')
    expect((await host.exited).code).toBe(0)
  })

  it('writes a JavaScript plugin whose own test passes, and prints the next steps', async () => {
    const parent = await makeTestDir()
    const result = await runCli(['plugins', 'new', 'disk-usage', '--dir', parent, '--language', 'js'], {cwd: parent})
    expect(result.code, result.stderr).toBe(0)
    const dir = path.join(parent, 'disk-usage')
    expect(result.stdout).toContain(`Created steward-plugin-disk-usage in ${dir}:\n  package.json\n`)
    expect(result.stdout).toContain(`  cd ${dir}\n  npm install`)
    expect(result.stdout).toContain('  steward start disk-usage\n  steward call disk-usage status')
    await linkDependencies(parent)
    expect((await npmRun(dir, 'test')).stdout).toMatch(/^# pass 2$/m)
  })

  it('refuses to write into a folder that exists, and a name that cannot name a plugin', async () => {
    const parent = await makeTestDir()
    await mkdir(path.join(parent, 'clock'))
    const exists = await runCli(['plugins', 'new', 'clock', '--dir', parent], {cwd: parent})
    expect(exists.code).toBe(73)
    expect(exists.stderr).toContain(`Error: ${path.join(parent, 'clock')} already exists; nothing was written.`)
    expect(exists.stderr).toContain('Code: SCAFFOLD_TARGET_EXISTS')
    const invalid = await runCli(['plugins', 'new', 'Clock', '--json'], {cwd: parent})
    expect(invalid.code).toBe(64)
    expect(JSON.parse(invalid.stdout)).toMatchObject({error: {code: 'SCAFFOLD_NAME_INVALID'}})
  })

  it('--help shows examples', async () => {
    const help = await runCli(['plugins', 'new', '--help'], {cwd: repoRoot})
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('EXAMPLES')
    expect(help.stdout).toContain('steward plugins new disk-usage --dir ~/steward-plugins --language js')
  })
})
