import fs from 'node:fs'
import path from 'node:path'
import {StewardError, describeError, isStewardError, type ErrorCode} from '../errors/index.js'
import {stewardVersion} from './package-root.js'
import {stewardRangeProblem} from './steward-range.js'

/** Where a plugin was found: a folder of plugins (bundled, plugin_dirs) or the user plugins manifest. */
export type PluginSource = 'bundled' | 'plugin_dirs' | 'installed' | 'linked'

/**
 * Where to look for plugins: a folder whose sub-folders are plugins (`bundled`, `plugin_dirs`), or
 * one plugin package (`installed`, `linked`).
 */
export interface PluginLocation {
  path: string
  source: PluginSource
}

/** A plugin as its package.json declares it; nothing of its code is loaded to know this. */
export interface PluginManifest {
  name: string
  version: string
  dir: string
  /** Absolute path of the entry module. */
  entry: string
  managers: string[]
  drivers: string[]
  /** API route sets and middleware, by the names `api_pipeline` uses. */
  routes: string[]
  source: PluginSource
}

/** A plugin directory that could not be used, and why. */
export interface PluginProblem {
  dir: string
  error: StewardError
}

export interface Discovery {
  plugins: PluginManifest[]
  problems: PluginProblem[]
}

const ENTRY_CANDIDATES = ['index.ts', 'index.js', 'index.mts', 'index.mjs']

/**
 * Find plugins: every package whose package.json has a `steward` field, among the sub-directories
 * of folder locations and the package locations themselves. Reads only package.json files, so
 * listing what plugins provide stays fast and never runs plugin code. A broken plugin becomes a
 * problem; the others are still found.
 */
export function discoverPlugins(locations: readonly PluginLocation[]): Discovery {
  const plugins: PluginManifest[] = []
  const problems: PluginProblem[] = []
  for (const location of locations) {
    const isPackage = location.source === 'installed' || location.source === 'linked'
    for (const dir of isPackage ? [location.path] : subdirectories(location.path)) {
      const packageFile = path.join(dir, 'package.json')
      if (!fs.existsSync(packageFile)) {
        if (isPackage) problems.push({dir, error: missingPackage(dir, location.source)})
        continue
      }
      try {
        const manifest = readManifest(dir, packageFile, location.source)
        if (manifest !== undefined) plugins.push(manifest)
      } catch (error) {
        problems.push({dir, error: asPluginError(error, packageFile)})
      }
    }
  }
  return {plugins, problems: [...problems, ...duplicateProblems(plugins)]}
}

/** An installed or linked plugin recorded in the user plugins manifest whose package is gone. */
function missingPackage(dir: string, source: PluginSource): StewardError {
  return new StewardError('PLUGIN_MISSING', `The ${source} plugin at ${dir} has no package.json any more.`, {
    data: {file: path.join(dir, 'package.json'), source},
    suggestions: [`Uninstall it (steward plugins uninstall <name>), or ${source === 'linked' ? 'link' : 'install'} it again.`],
  })
}

function subdirectories(parent: string): string[] {
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(parent, {withFileTypes: true})
  } catch {
    return []
  }
  return entries
    .filter((entry) => (entry.isDirectory() || entry.isSymbolicLink()) && !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .map((entry) => path.join(parent, entry.name))
    .sort()
}

function readManifest(dir: string, packageFile: string, source: PluginSource): PluginManifest | undefined {
  const json = JSON.parse(fs.readFileSync(packageFile, 'utf8')) as Record<string, unknown>
  const declared = json.steward
  if (declared === undefined) return undefined
  const refuse = (code: ErrorCode, message: string, suggestion: string, data: Record<string, unknown> = {}): StewardError =>
    new StewardError(code, `Plugin ${packageFile}: ${message}`, {data: {file: packageFile, ...data}, suggestions: [suggestion, 'See docs/plugins.md.']})
  const fieldHelp = 'Declare what the plugin provides: "steward": {"managers": ["clock"], "drivers": ["system-clock"]}.'
  if (typeof declared !== 'object' || declared === null || Array.isArray(declared)) throw refuse('PLUGIN_INVALID', '"steward" must be an object such as {"managers": ["clock"], "drivers": []}.', fieldHelp)
  const {managers = [], drivers = [], routes = [], entry} = declared as Record<string, unknown>
  for (const [key, names] of Object.entries({managers, drivers, routes})) {
    if (!isNameList(names)) throw refuse('PLUGIN_INVALID', `"steward.${key}" must be a list of names (letters, digits, ".", "_", "-").`, fieldHelp)
  }
  // From here the names are known, so starting one of this plugin's managers can say why it was refused.
  const provides = {managers: managers as string[], drivers: drivers as string[], routes: routes as string[]}
  if (typeof json.name !== 'string' || json.name === '') {
    throw refuse('PLUGIN_NAME_MISSING', 'the plugin has no name: "name" must be a non-empty string.', 'Add "name" to package.json, the same name as its definePlugin({name}).', provides)
  }
  const range = engines(json).steward
  const rangeProblem = range === undefined ? undefined : stewardRangeProblem(range)
  if (rangeProblem === 'invalid') throw refuse('PLUGIN_INVALID', `"engines.steward" must be a semver range, found ${JSON.stringify(range)}.`, `Set "engines": {"steward": "^${stewardVersion}"}.`, provides)
  if (rangeProblem === 'incompatible') {
    throw refuse('PLUGIN_INCOMPATIBLE', `${json.name} requires steward ${String(range)} (engines.steward), this is ${stewardVersion}.`, `Use a release of ${json.name} made for steward ${stewardVersion}, or widen engines.steward if it works with it.`, {...provides, range, stewardVersion})
  }
  const entryFile = resolveEntry(dir, typeof entry === 'string' ? entry : typeof json.main === 'string' ? json.main : undefined)
  if (entryFile === undefined) throw refuse('PLUGIN_INVALID', `no entry module: set "main" or add one of ${ENTRY_CANDIDATES.join(', ')}.`, 'Create the entry module, or point "main" at it.', provides)
  return {name: json.name, version: typeof json.version === 'string' ? json.version : '0.0.0', dir, entry: entryFile, ...provides, source}
}

function isNameList(names: unknown): names is string[] {
  return Array.isArray(names) && names.every((name) => typeof name === 'string' && /^[a-z][\w.-]*$/i.test(name))
}

/** package.json `engines`: `engines.steward` is the steward range, known before any plugin code runs. */
function engines(json: Record<string, unknown>): Record<string, unknown> {
  return typeof json.engines === 'object' && json.engines !== null ? (json.engines as Record<string, unknown>) : {}
}

function resolveEntry(dir: string, declared: string | undefined): string | undefined {
  const candidates = declared === undefined ? ENTRY_CANDIDATES : [declared]
  return candidates.map((candidate) => path.resolve(dir, candidate)).find((file) => fs.existsSync(file))
}

function asPluginError(error: unknown, packageFile: string): StewardError {
  if (isStewardError(error)) return error
  return new StewardError('PLUGIN_INVALID', `Plugin ${packageFile} cannot be read: ${describeError(error)}`, {
    data: {file: packageFile},
    cause: error,
    suggestions: ['Fix the JSON of package.json.'],
  })
}

const kindLabel = {managers: 'Manager', drivers: 'Driver', routes: 'API route set or middleware'} as const

/** Two plugins providing the same manager, driver or route set name: both names are ambiguous. */
function duplicateProblems(plugins: PluginManifest[]): PluginProblem[] {
  const problems: PluginProblem[] = []
  for (const kind of ['managers', 'drivers', 'routes'] as const) {
    const owners = new Map<string, PluginManifest>()
    for (const plugin of plugins) {
      for (const name of plugin[kind]) {
        const first = owners.get(name)
        if (first === undefined) {
          owners.set(name, plugin)
          continue
        }
        problems.push({
          dir: plugin.dir,
          error: new StewardError('PLUGIN_CONFLICT', `${kindLabel[kind]} "${name}" is provided by both ${first.name} (${first.dir}) and ${plugin.name} (${plugin.dir}); ${first.name}'s is used.`, {
            data: {name, kind, plugins: [first.name, plugin.name], file: path.join(plugin.dir, 'package.json')},
            suggestions: [`Remove one of the plugins, or rename the ${kindLabel[kind].toLowerCase()} in one of them.`],
          }),
        })
      }
    }
  }
  return problems
}
