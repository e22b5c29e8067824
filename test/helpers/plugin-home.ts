import {execFile} from 'node:child_process'
import {cp, mkdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import type {UserPluginRecord} from '../../src/plugins/user-plugins.js'
import {makeTestDir} from './steward-process.js'

const run = promisify(execFile)

/**
 * A test's own home and data directory, so `steward plugins install` and `link` never touch the
 * real ones and tests can run side by side: pass `env` to runCli / StewardProcess. npm runs
 * offline, so installs use only local sources.
 */
export interface PluginHome {
  /** A fresh working directory (cwd for the commands). */
  dir: string
  env: Record<string, string>
  /** The user plugins manifest the CLI writes (see userPluginsManifestPath). */
  manifest: string
}

export async function makePluginHome(): Promise<PluginHome> {
  const dir = await makeTestDir('steward-plugin-home-')
  const home = path.join(dir, 'home')
  const data = path.join(dir, 'data')
  await mkdir(home)
  return {
    dir,
    env: {HOME: home, XDG_DATA_HOME: data, npm_config_offline: 'true', npm_config_update_notifier: 'false'},
    manifest: path.join(data, 'steward', 'package.json'),
  }
}

/** The records of installed and linked plugins in a home's manifest. */
export async function recordedPlugins(home: PluginHome): Promise<UserPluginRecord[]> {
  const json = JSON.parse(await readFile(home.manifest, 'utf8')) as {oclif: {plugins: UserPluginRecord[]}}
  return json.oclif.plugins
}

/** `npm pack` a plugin folder into the home's directory; the tarball's path. */
export async function packPlugin(home: PluginHome, pluginDir: string): Promise<string> {
  const {stdout} = await run('npm', ['pack', pluginDir, '--pack-destination', home.dir, '--json'], {env: {...process.env, ...home.env}})
  const [packed] = JSON.parse(stdout) as Array<{filename: string}>
  return path.join(home.dir, packed!.filename)
}

/** Copy a plugin folder into a new git repository with one commit; the repository's path. */
export async function gitRepositoryOf(home: PluginHome, pluginDir: string, name: string): Promise<string> {
  const repo = path.join(home.dir, name)
  await cp(pluginDir, repo, {recursive: true})
  const git = (...args: string[]) => run('git', ['-c', 'user.name=steward tests', '-c', 'user.email=tests@steward.invalid', '-c', 'init.defaultBranch=main', ...args], {cwd: repo, env: {...process.env, ...home.env}})
  await git('init', '-q')
  await git('add', '.')
  await git('commit', '-q', '-m', 'plugin')
  return repo
}
