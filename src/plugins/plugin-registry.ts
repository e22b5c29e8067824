import path from 'node:path'
import {pathToFileURL} from 'node:url'
import type {ApiPipelineEntry} from '../api/api-types.js'
import type {CoreOptions} from '../config/options.js'
import {StewardError, describeError} from '../errors/index.js'
import type {ManagerClass} from '../manager/manager.js'
import type {ProvidedDriver} from '../service/host-context.js'
import {checkDefinition} from './check-definition.js'
import type {DefinedPlugin} from './define-plugin.js'
import {discoverPlugins, type Discovery, type PluginLocation, type PluginManifest, type PluginProblem} from './discover-plugins.js'
import {bundledPluginsDir} from './package-root.js'
import {registerSdkResolution} from './sdk-resolution.js'
import {userPlugins} from './user-plugins.js'

export {stewardVersion} from './package-root.js'

/**
 * Where plugins are searched, in order (the first provider of a name wins): the bundled plugins,
 * `plugin_dirs`, then the installed and linked plugins of the user plugins manifest.
 */
export function pluginDirectories(options: Pick<CoreOptions, 'plugin_dirs'>): PluginLocation[] {
  return [
    {path: bundledPluginsDir, source: 'bundled'},
    ...options.plugin_dirs.map((dir): PluginLocation => ({path: path.resolve(dir), source: 'plugin_dirs'})),
    ...userPlugins().map(({dir, source}): PluginLocation => ({path: dir, source})),
  ]
}

/** Make `import 'steward'` in plugin code resolve to this steward's SDK, and load the SDK (once per thread). */
export async function prepareSdkResolution(): Promise<void> {
  registerSdkResolution()
  await import('../index.js')
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
  provider(kind: 'managers' | 'drivers' | 'routes', name: string): PluginManifest | undefined {
    return this.plugins.find((plugin) => plugin[kind].includes(name))
  }

  async loadManager(name: string): Promise<{managerClass: ManagerClass; plugin: PluginManifest}> {
    const plugin = this.provider('managers', name)
    if (plugin === undefined) {
      this.throwIfRefused('managers', name)
      const known = this.plugins.flatMap((candidate) => candidate.managers)
      throw new StewardError('MANAGER_NOT_FOUND', `No plugin provides a manager named "${name}".`, {
        data: {manager: name, known},
        suggestions: [known.length > 0 ? `Known managers: ${known.join(', ')}.` : 'No plugin provides any manager: check plugin_dirs.', 'Run `steward managers` to list them.'],
      })
    }
    const definition = await this.definition(plugin)
    return {managerClass: definition.managers![name]!, plugin}
  }

  /** A plugin-provided driver export and its plugin, or undefined when no plugin declares that name. */
  async loadDriver(name: string): Promise<ProvidedDriver | undefined> {
    const plugin = this.provider('drivers', name)
    if (plugin === undefined) {
      this.throwIfRefused('drivers', name)
      return undefined
    }
    return {exported: (await this.definition(plugin)).drivers![name], plugin}
  }

  /**
   * A plugin's API route set or middleware, or undefined when no plugin declares that name. Its
   * code is imported in the calling thread: the host's, where the API serves.
   */
  async loadRoutes(name: string): Promise<{entry: ApiPipelineEntry; plugin: PluginManifest} | undefined> {
    const plugin = this.provider('routes', name)
    if (plugin === undefined) {
      this.throwIfRefused('routes', name)
      return undefined
    }
    return {entry: (await this.definition(plugin)).routes![name]!, plugin}
  }

  /** A name declared only by a plugin that discovery refused fails with that plugin's error, not as unknown. */
  private throwIfRefused(kind: 'managers' | 'drivers' | 'routes', name: string): void {
    const refused = this.problems.find(({error}) => Array.isArray(error.data[kind]) && (error.data[kind] as unknown[]).includes(name))
    if (refused === undefined) return
    const {error} = refused
    const what = {managers: 'Manager', drivers: 'Driver', routes: 'API route set or middleware'}[kind]
    throw new StewardError(error.code, `${what} "${name}" comes from a plugin that was refused. ${error.message}`, {
      data: error.data,
      suggestions: error.suggestions,
      cause: error,
    })
  }

  /**
   * Import one plugin's code and validate its definition, as a host does before using it: resolves
   * when it would load, rejects with the StewardError that refuses it.
   */
  async check(plugin: PluginManifest): Promise<void> {
    await this.definition(plugin)
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
  return checkDefinition(namespace.default, plugin)
}
