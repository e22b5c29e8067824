import {existsSync} from 'node:fs'
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import type {PluginState} from '../../src/cli/plugin-states.js'
import type {ProvidedItem} from '../../src/cli/plugin-listing.js'
import {gitRepositoryOf, makePluginHome, packPlugin, recordedPlugins, type PluginHome} from '../helpers/plugin-home.js'
import {repoRoot, runCli, runJson} from '../helpers/steward-process.js'

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'plugins')
const greeter = path.join(fixtures, 'cli-greeter')

const steward = (home: PluginHome, ...args: string[]) => runCli(args, {cwd: home.dir, env: home.env})
const stewardJson = <T>(home: PluginHome, ...args: string[]) => runJson<T>(args, {cwd: home.dir, env: home.env})
const listed = (home: PluginHome) => stewardJson<PluginState[]>(home, 'plugins')

/** A one-file JavaScript plugin providing one manager; `body` replaces its entry when given. */
async function writePlugin(parent: string, name: string, manager: string, body?: string): Promise<string> {
  const dir = path.join(parent, name)
  await mkdir(dir, {recursive: true})
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({name, version: '0.3.0', type: 'module', main: 'index.js', steward: {managers: [manager]}}))
  const entry = `import {definePlugin, Manager} from 'steward'
class M extends Manager { static rpcApiVersion = '1.0' }
export default definePlugin({name: '${name}', steward: '^0.1.0', managers: {'${manager}': M}})
`
  await writeFile(path.join(dir, 'index.js'), body ?? entry)
  return dir
}

/** The JSON error a command printed with --json, and its exit status. */
async function failure(home: PluginHome, ...args: string[]): Promise<{exit: number | null; code: string; message: string}> {
  const result = await steward(home, ...args, '--json')
  const {error} = JSON.parse(result.stdout) as {error: {code: string; message: string}}
  return {exit: result.code, code: error.code, message: error.message}
}

describe('steward plugins install, link and uninstall', () => {
  it('installs a packed tarball offline: listed as loaded with its manager and CLI command, named by steward managers, in --help, and runnable', async () => {
    const home = await makePluginHome()
    const tarball = await packPlugin(home, greeter)
    const installed = await stewardJson<{name: string; version: string; source: string}>(home, 'plugins', 'install', tarball)
    expect(installed).toMatchObject({name: 'fixture-cli-greeter', version: '1.0.0', source: 'installed'})
    const dir = path.join(home.env.XDG_DATA_HOME!, 'steward', 'node_modules', 'fixture-cli-greeter')

    expect(await listed(home)).toContainEqual({
      name: 'fixture-cli-greeter',
      version: '1.0.0',
      source: 'installed',
      dir,
      state: 'loaded',
      provides: {managers: ['greeter'], drivers: [], routes: [], commands: ['greet']},
    })
    expect(await stewardJson<ProvidedItem[]>(home, 'managers')).toContainEqual({name: 'greeter', plugin: 'fixture-cli-greeter', version: '1.0.0', source: 'installed', file: path.join(dir, 'index.ts')})
    expect((await steward(home, '--help')).stdout).toMatch(/^ {2}greet\s+Say hello from an installed plugin\.$/m)
    expect((await steward(home, 'greet')).stdout).toBe('hello from the fixture-cli-greeter command\n')
    expect(await recordedPlugins(home)).toEqual([{type: 'user', name: 'fixture-cli-greeter', url: `file:${tarball}`}])
  })

  it('installs from local git repositories, by path and by git+file URL, naming each by the package npm added', async () => {
    const home = await makePluginHome()
    const greeterRepo = await gitRepositoryOf(home, greeter, 'greeter-repo')
    const clockRepo = await gitRepositoryOf(home, await writePlugin(path.join(home.dir, 'sources'), 'fixture-git-clock', 'clock'), 'clock-repo')

    await stewardJson(home, 'plugins', 'install', './greeter-repo')
    await stewardJson(home, 'plugins', 'install', `git+${pathToFileURL(clockRepo).href}`)

    const states = await listed(home)
    expect(states.filter((plugin) => plugin.source === 'installed').map(({name, version, state, provides}) => ({name, version, state, managers: provides.managers}))).toEqual([
      {name: 'fixture-cli-greeter', version: '1.0.0', state: 'loaded', managers: ['greeter']},
      {name: 'fixture-git-clock', version: '0.3.0', state: 'loaded', managers: ['clock']},
    ])
    expect(await recordedPlugins(home)).toEqual([
      {type: 'user', name: 'fixture-cli-greeter', url: `git+${pathToFileURL(greeterRepo).href}`},
      {type: 'user', name: 'fixture-git-clock', url: `git+${pathToFileURL(clockRepo).href}`},
    ])
  })

  it('links a plugin folder in place, and uninstall removes linked and installed plugins from the listing, the manifest and the CLI', async () => {
    const home = await makePluginHome()
    const marker = path.join(fixtures, 'import-marker')
    expect(await stewardJson(home, 'plugins', 'link', marker)).toMatchObject({name: 'fixture-import-marker', dir: marker, source: 'linked'})
    await stewardJson(home, 'plugins', 'install', await packPlugin(home, greeter))
    expect(await listed(home)).toContainEqual({name: 'fixture-import-marker', version: '2.0.0', source: 'linked', dir: marker, state: 'loaded', provides: {managers: ['marker'], drivers: [], routes: [], commands: []}})

    expect(await stewardJson(home, 'plugins', 'uninstall', marker)).toEqual({type: 'link', name: 'fixture-import-marker', root: marker})
    expect((await steward(home, 'plugins', 'uninstall', 'fixture-cli-greeter')).stdout).toBe('Uninstalled fixture-cli-greeter.\n')

    expect((await listed(home)).map((plugin) => plugin.source)).toEqual(['bundled', 'bundled', 'bundled'])
    expect(await recordedPlugins(home)).toEqual([])
    expect(existsSync(path.join(home.env.XDG_DATA_HOME!, 'steward', 'node_modules', 'fixture-cli-greeter'))).toBe(false)
    expect((await steward(home, 'greet')).code).not.toBe(0)
    expect(existsSync(marker)).toBe(true)
  })

  it('lists a linked package that only adds CLI commands, with its commands, and runs them', async () => {
    const home = await makePluginHome()
    const cliOnly = path.join(home.dir, 'cli-only')
    await mkdir(path.join(cliOnly, 'commands'), {recursive: true})
    await writeFile(path.join(cliOnly, 'package.json'), JSON.stringify({name: 'fixture-cli-only', version: '1.1.0', oclif: {commands: './commands'}}))
    await writeFile(path.join(cliOnly, 'commands', 'wave.js'), "module.exports = class {\n  static summary = 'Wave.'\n  static async run() { process.stdout.write('wave\\n') }\n}\n")
    expect(await stewardJson(home, 'plugins', 'link', cliOnly)).toMatchObject({name: 'fixture-cli-only', kind: 'cli', source: 'linked'})

    expect(await listed(home)).toContainEqual({name: 'fixture-cli-only', version: '1.1.0', source: 'linked', dir: cliOnly, state: 'loaded', provides: {managers: [], drivers: [], routes: [], commands: ['wave']}})
    expect(await steward(home, 'wave')).toMatchObject({code: 0, stdout: 'wave\n', stderr: ''})
  })

  it('shows a plugin that fails to load as failed with its code and why, in JSON and in the table; one that exits or leaves a timer running harms nothing', async () => {
    const home = await makePluginHome()
    const sources = path.join(home.dir, 'sources')
    const throwing = await writePlugin(sources, 'fixture-throws', 'thrower', "throw new Error('broken at import')\n")
    const misnamed = await writePlugin(sources, 'fixture-misnamed', 'misnamed')
    await writeFile(path.join(misnamed, 'index.js'), "import {definePlugin} from 'steward'\nexport default definePlugin({name: 'another-name', steward: '^0.1.0', managers: {}})\n")
    const vanishing = await writePlugin(sources, 'fixture-vanishing', 'vanishing')
    const exiting = await writePlugin(sources, 'fixture-exits', 'exiter', "console.log('noise on stdout')\nprocess.exit(3)\n")
    const ticking = await writePlugin(sources, 'fixture-ticks', 'ticker')
    await writeFile(path.join(ticking, 'index.js'), `setInterval(() => {}, 1000)\n${await readFile(path.join(ticking, 'index.js'), 'utf8')}`)
    for (const dir of [throwing, misnamed, vanishing, exiting, ticking]) await stewardJson(home, 'plugins', 'link', dir)
    await rm(vanishing, {recursive: true})

    const states = await listed(home)
    const stateOf = (dir: string) => states.find((plugin) => plugin.dir === dir)
    expect(stateOf(throwing)).toMatchObject({name: 'fixture-throws', source: 'linked', state: 'failed', error: {code: 'PLUGIN_LOAD_FAILED'}, provides: {managers: ['thrower']}})
    expect(stateOf(throwing)!.error!.message).toContain('broken at import')
    expect(stateOf(misnamed)).toMatchObject({state: 'failed', error: {code: 'PLUGIN_INVALID'}})
    expect(stateOf(vanishing)).toMatchObject({name: 'fixture-vanishing', source: 'linked', state: 'failed', error: {code: 'PLUGIN_MISSING'}})
    // Checked in worker threads: an exit fails only that plugin, a timer left running keeps nothing alive.
    expect(stateOf(exiting)).toMatchObject({state: 'failed', error: {code: 'PLUGIN_LOAD_FAILED', message: `Plugin fixture-exits (${path.join(exiting, 'index.js')}) ended its thread while loading (exit 3).`}})
    expect(stateOf(ticking)).toMatchObject({name: 'fixture-ticks', state: 'loaded'})
    expect(states.filter((plugin) => plugin.source === 'bundled').map((plugin) => plugin.state)).toEqual(['loaded', 'loaded', 'loaded'])

    const table = (await steward(home, 'plugins')).stdout
    expect(table).toMatch(/^fixture-throws\s+0\.3\.0\s+linked\s+failed \(PLUGIN_LOAD_FAILED\)\s+managers: thrower$/m)
    expect(table).toMatch(/^fixture-throws: Plugin fixture-throws failed to load from .*broken at import/m)
  })

  it('refuses what it cannot install, link or uninstall with a documented code and a non-zero exit, leaving nothing behind', async () => {
    const home = await makePluginHome()
    const folder = await writePlugin(path.join(home.dir, 'sources'), 'fixture-folder', 'folder')
    expect(await failure(home, 'plugins', 'install', folder)).toMatchObject({exit: 64, code: 'PLUGIN_SOURCE_INVALID'})
    expect(await failure(home, 'plugins', 'install', './absent-1.0.0.tgz')).toMatchObject({exit: 64, code: 'PLUGIN_SOURCE_INVALID'})
    expect(await failure(home, 'plugins', 'link', path.join(home.dir, 'absent'))).toMatchObject({exit: 64, code: 'PLUGIN_SOURCE_INVALID'})

    const library = path.join(home.dir, 'library')
    await mkdir(library)
    await writeFile(path.join(library, 'package.json'), JSON.stringify({name: 'just-a-library', version: '1.0.0'}))
    const refused = await failure(home, 'plugins', 'install', await packPlugin(home, library))
    expect(refused).toMatchObject({exit: 65, code: 'PACKAGE_NOT_A_PLUGIN'})
    expect(existsSync(path.join(home.env.XDG_DATA_HOME!, 'steward', 'node_modules', 'just-a-library'))).toBe(false)
    expect(await failure(home, 'plugins', 'link', library)).toMatchObject({exit: 65, code: 'PACKAGE_NOT_A_PLUGIN'})

    const offline = await failure(home, 'plugins', 'install', 'steward-plugin-that-is-not-cached')
    expect(offline).toMatchObject({exit: 1, code: 'PLUGIN_NPM_FAILED'})
    expect(offline.message).toContain('ENOTCACHED')
    expect(await failure(home, 'plugins', 'uninstall', 'fixture-never-installed')).toMatchObject({exit: 1, code: 'PLUGIN_NOT_INSTALLED'})
    expect(await recordedPlugins(home)).toEqual([])
  })
})
