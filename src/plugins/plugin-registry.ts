import fs from 'node:fs'
import {register} from 'node:module'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import type {CoreOptions} from '../config/options.js'
import {StewardError, describeError} from '../errors/index.js'
import type {ManagerClass} from '../manager/manager.js'
import {isDefinedPlugin, type DefinedPlugin} from './define-plugin.js'
import {discoverPlugins, type Discovery, type PluginManifest, type PluginProblem} from './discover-plugins.js'
import {bundledPluginsDir, packageRoot} from './package-root.js'

/** The running steward's version, which plugins' `steward` ranges are checked against. */
export const stewardVersion: string = (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {version: string}).version

/** The directories searched for plugins, in order. */
export function pluginDirectories(options: Pick<CoreOptions, 'plugin_dirs'>): Array<{path: string; source: 'bundled' | 'plugin_dirs'}> {
  return [{path: bundledPluginsDir, source: 'bundled'}, ...options.plugin_dirs.map((dir) => ({path: path.resolve(dir), source: 'plugin_dirs' as const}))]
}

let sdkHookRegistered = false

/** Make `import 'steward'` in plugin code resolve to this steward's SDK (once per thread). */
function registerSdkResolution(): void {
  if (sdkHookRegistered) return
  sdkHookRegistered = true
  const dist = path.join(packageRoot, 'dist')
  register(pathToFileURL(path.join(dist, 'plugins', 'sdk-resolve-hook.js')), {
    data: {sdkUrl: pathToFileURL(path.join(dist, 'index.js')).href},
  })
}

/**
 * What the plugin directories provide, and the loading of their code on demand. Knowing what is
 * provided reads package.json files only; a plugin's code is imported the first time one of its
 * managers or drivers is needed.
 */
export class PluginRegistry {
  readonly plugins: readonly PluginManifest[]
  readonly problems: readonly PluginProblem[]
  private readonly definitions = new Map<string, Promise<DefinedPlugin>>()

  constructor(discovery: Discovery) {
    this.plugins = discovery.plugins
    this.problems = discovery.problems
  }

  static discover(options: Pick<CoreOptions, 'plugin_dirs'>): PluginRegistry {
    return new PluginRegistry(discoverPlugins(pluginDirectories(options)))
  }

  /** The plugin that provides a manager or driver (the first found when several do). */
  provider(kind: 'managers' | 'drivers', name: string): PluginManifest | undefined {
    return this.plugins.find((plugin) => plugin[kind].includes(name))
  }

  async loadManager(name: string): Promise<{managerClass: ManagerClass; plugin: PluginManifest}> {
    const plugin = this.provider('managers', name)
    if (plugin === undefined) {
      const known = this.plugins.flatMap((candidate) => candidate.managers)
      throw new StewardError('MANAGER_NOT_FOUND', `No plugin provides a manager named "${name}".`, {
        data: {manager: name, known},
        suggestions: [known.length > 0 ? `Known managers: ${known.join(', ')}.` : 'No plugin provides any manager: check plugin_dirs.', 'Run `steward managers` to list them.'],
      })
    }
    const definition = await this.definition(plugin)
    return {managerClass: definition.managers![name]!, plugin}
  }

  /** A plugin-provided driver export, or undefined when no plugin declares that name. */
  async loadDriver(name: string): Promise<unknown> {
    const plugin = this.provider('drivers', name)
    if (plugin === undefined) return undefined
    return (await this.definition(plugin)).drivers![name]
  }

  private definition(plugin: PluginManifest): Promise<DefinedPlugin> {
    let loading = this.definitions.get(plugin.dir)
    if (loading === undefined) {
      loading = importDefinition(plugin)
      this.definitions.set(plugin.dir, loading)
    }
    return loading
  }
}

async function importDefinition(plugin: PluginManifest): Promise<DefinedPlugin> {
  registerSdkResolution()
  let namespace: {default?: unknown}
  try {
    // tsx loads TypeScript plugins without a build step, and JavaScript ones unchanged.
    const {tsImport} = await import('tsx/esm/api')
    namespace = (await tsImport(pathToFileURL(plugin.entry).href, import.meta.url)) as {default?: unknown}
  } catch (error) {
    throw new StewardError('PLUGIN_LOAD_FAILED', `Plugin ${plugin.name} failed to load from ${plugin.entry}: ${describeError(error)}`, {
      data: {plugin: plugin.name, file: plugin.entry},
      cause: error,
    })
  }
  const definition = namespace.default
  const {default: semver} = await import('semver')
  const invalid = (message: string): StewardError =>
    new StewardError('PLUGIN_INVALID', `Plugin ${plugin.name} (${plugin.entry}): ${message}`, {
      data: {plugin: plugin.name, file: plugin.entry},
      suggestions: ['See docs/plugins.md.'],
    })
  if (!isDefinedPlugin(definition)) throw invalid('the entry must `export default definePlugin({...})` from "steward".')
  if (definition.name !== plugin.name) throw invalid(`definePlugin names "${definition.name}" but package.json names "${plugin.name}".`)
  if (semver.validRange(definition.steward) === null || !semver.satisfies(stewardVersion, definition.steward, {includePrerelease: true})) {
    throw invalid(`it requires steward ${definition.steward}, this is ${stewardVersion}.`)
  }
  for (const kind of ['managers', 'drivers'] as const) {
    const provided = Object.keys(definition[kind] ?? {}).sort()
    const declared = [...plugin[kind]].sort()
    if (provided.join() !== declared.join()) {
      throw invalid(`package.json declares ${kind} [${declared.join(', ')}] but definePlugin provides [${provided.join(', ')}].`)
    }
  }
  return definition
}
