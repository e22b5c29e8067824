import fs from 'node:fs'
import path from 'node:path'
import {checkPlugins} from '../plugins/check-plugins.js'
import type {Discovery, PluginLocation, PluginManifest, PluginSource} from '../plugins/discover-plugins.js'

/** A plugin, where it came from, whether it loads, and what it provides. */
export interface PluginState {
  name: string
  version: string
  source: PluginSource
  dir: string
  state: 'loaded' | 'failed'
  /** Why it failed: a steward error code and message. */
  error?: {code: string; message: string}
  provides: {managers: string[]; drivers: string[]; routes: string[]; commands: string[]}
}

/** An installed or linked package as oclif loaded it (CLI commands included). */
export interface CliPlugin {
  name: string
  version: string
  root: string
  type: string
  commands: ReadonlyArray<{id: string}>
}

/**
 * The state of every plugin: those steward discovered (their code loaded for real, in a worker, to
 * know they work), those discovery refused, and installed or linked packages that only add CLI
 * commands.
 */
export async function pluginStates(discovery: Discovery, locations: readonly PluginLocation[], cliPlugins: readonly CliPlugin[]): Promise<PluginState[]> {
  const userCliPlugins = cliPlugins.filter((plugin) => plugin.type === 'user' || plugin.type === 'link')
  // A bundled plugin's commands come with steward (oclif's core plugins): found by its folder too.
  const commandsIn = (dir: string): string[] => commandIds(cliPlugins.find((plugin) => sameDir(plugin.root, dir)))
  const problemOf = (dir: string) => discovery.problems.find((problem) => problem.dir === dir)?.error
  const checks = await checkPlugins(discovery.plugins.filter((plugin) => problemOf(plugin.dir) === undefined))
  const states: PluginState[] = []
  for (const plugin of discovery.plugins) {
    const problem = problemOf(plugin.dir)
    const error = problem === undefined ? checks.find((check) => check.dir === plugin.dir)?.error : {code: problem.code, message: problem.message}
    states.push({
      ...identity(plugin),
      state: error === undefined ? 'loaded' : 'failed',
      ...(error === undefined ? {} : {error}),
      provides: {managers: plugin.managers, drivers: plugin.drivers, routes: plugin.routes, commands: commandsIn(plugin.dir)},
    })
  }
  const known = new Set(discovery.plugins.map((plugin) => plugin.dir))
  for (const {dir, error} of discovery.problems.filter((problem) => !known.has(problem.dir))) {
    known.add(dir)
    const declared = packageJson(dir)
    states.push({
      name: typeof declared.name === 'string' ? declared.name : path.basename(dir),
      version: typeof declared.version === 'string' ? declared.version : '',
      source: sourceOf(dir, locations),
      dir,
      state: 'failed',
      error: {code: error.code, message: error.message},
      provides: {managers: [], drivers: [], routes: [], commands: commandsIn(dir)},
    })
  }
  for (const plugin of userCliPlugins.filter((candidate) => ![...known].some((dir) => sameDir(candidate.root, dir)))) {
    states.push({
      name: plugin.name,
      version: plugin.version,
      source: plugin.type === 'link' ? 'linked' : 'installed',
      dir: plugin.root,
      state: 'loaded',
      provides: {managers: [], drivers: [], routes: [], commands: commandIds(plugin)},
    })
  }
  return states
}

function identity(plugin: PluginManifest): Pick<PluginState, 'name' | 'version' | 'source' | 'dir'> {
  return {name: plugin.name, version: plugin.version, source: plugin.source, dir: plugin.dir}
}

/** Command ids as users type them (topics separated by spaces). */
function commandIds(plugin: CliPlugin | undefined): string[] {
  return (plugin?.commands ?? []).map((command) => command.id.replaceAll(':', ' ')).sort()
}

/** Where a refused plugin folder was found: the location that is it, or that holds it. */
function sourceOf(dir: string, locations: readonly PluginLocation[]): PluginSource {
  const location = locations.find((candidate) => sameDir(candidate.path, dir)) ?? locations.find((candidate) => sameDir(candidate.path, path.dirname(dir)))
  return location?.source ?? 'plugin_dirs'
}

function sameDir(a: string, b: string): boolean {
  return realpath(a) === realpath(b)
}

function realpath(dir: string): string {
  try {
    return fs.realpathSync(dir)
  } catch {
    return path.resolve(dir)
  }
}

/** What a refused plugin's package.json still tells (its name and version), if it can be read. */
function packageJson(dir: string): Record<string, unknown> {
  try {
    const json: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
    return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
