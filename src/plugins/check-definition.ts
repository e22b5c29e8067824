import {pipelineEntryProblem} from '../api/check-pipeline-entry.js'
import {missingMethods} from '../driver/driver.js'
import {StewardError, isStewardError, type ErrorCode} from '../errors/index.js'
import {readManagerContract} from '../manager/manager-contract.js'
import type {ManagerClass} from '../manager/manager.js'
import {isDefinedPlugin, type DefinedPlugin} from './define-plugin.js'
import type {PluginManifest} from './discover-plugins.js'
import {stewardVersion} from './package-root.js'
import {stewardRangeProblem} from './steward-range.js'

/**
 * Check what a plugin's entry exported, in the order a reader fixes them: the shape, the name,
 * the steward range, what it provides against package.json, then each manager's contract and
 * each driver class against its family. Each failure has its own code and names the entry file.
 */
export function checkDefinition(definition: unknown, plugin: Pick<PluginManifest, 'name' | 'entry' | 'managers' | 'drivers'> & Partial<Pick<PluginManifest, 'routes'>>): DefinedPlugin {
  const refuse = (code: ErrorCode, message: string, suggestions: string[], data: Record<string, unknown> = {}): StewardError =>
    new StewardError(code, `Plugin ${plugin.name} (${plugin.entry}): ${message}`, {data: {plugin: plugin.name, file: plugin.entry, ...data}, suggestions: [...suggestions, 'See docs/plugins.md.']})
  if (!isDefinedPlugin(definition)) throw refuse('PLUGIN_INVALID', 'the entry must `export default definePlugin({...})` from "steward".', ["import {definePlugin} from 'steward' and default-export its result."])
  if (typeof definition.name !== 'string' || definition.name === '') {
    throw refuse('PLUGIN_NAME_MISSING', 'definePlugin({...}) has no name.', [`Add name: '${plugin.name}' (the name of its package.json).`])
  }
  if (definition.name !== plugin.name) throw refuse('PLUGIN_INVALID', `definePlugin names "${definition.name}" but package.json names "${plugin.name}".`, ['Give both the same name.'])
  const rangeProblem = stewardRangeProblem(definition.steward)
  if (rangeProblem === 'invalid') {
    throw refuse('PLUGIN_INVALID', `its steward range ${JSON.stringify(definition.steward)} is not a semver range.`, [`Set steward: '^${stewardVersion}' in definePlugin.`])
  }
  if (rangeProblem === 'incompatible') {
    throw refuse('PLUGIN_INCOMPATIBLE', `it requires steward ${definition.steward}, this is ${stewardVersion}.`, [`Use a release of ${plugin.name} made for steward ${stewardVersion}, or widen its steward range if it works with it.`], {range: definition.steward, stewardVersion})
  }
  for (const kind of ['managers', 'drivers', 'routes'] as const) {
    const provided = Object.keys(definition[kind] ?? {}).sort()
    const declared = [...(plugin[kind] ?? [])].sort()
    if (provided.join() !== declared.join()) {
      throw refuse('PLUGIN_INVALID', `package.json declares ${kind} [${declared.join(', ')}] but definePlugin provides [${provided.join(', ')}].`, [`Make "steward.${kind}" of package.json list the ${kind} definePlugin provides.`])
    }
  }
  for (const [name, managerClass] of Object.entries(definition.managers ?? {})) {
    try {
      readManagerContract(managerClass as ManagerClass)
    } catch (error) {
      if (!isStewardError(error)) throw error
      throw refuse(error.code, `manager "${name}": ${error.message}`, [...error.suggestions], {manager: name})
    }
  }
  for (const [name, entry] of Object.entries(definition.routes ?? {})) {
    const problem = pipelineEntryProblem(name, entry)
    if (problem !== undefined) throw refuse('PLUGIN_INVALID', `routes "${name}" ${problem}.`, ['See docs/api.md, "Routes from plugins".'], {routes: name})
  }
  for (const [name, exported] of Object.entries(definition.drivers ?? {})) {
    const family = driverFamily(exported)
    if (family === undefined) continue
    const missing = missingMethods(family.prototype, family.requiredMethods)
    if (missing.length > 0) {
      throw refuse('DRIVER_MISSING_METHOD', `driver "${name}" (${family.driverName}) does not implement ${missing.join(', ')}, required of every ${family.name}.`, [`Implement ${missing.map((method) => `${method}()`).join(', ')} in ${family.driverName}.`], {driver: name, family: family.name, missing})
    }
  }
  return definition
}

/**
 * A driver class and the family it extends: the nearest class of its chain that declares
 * `requiredMethods` (a family base such as SysinfoDriver). Factories and objects have none; they
 * are checked when a manager loads them.
 */
function driverFamily(exported: unknown): {name: string; driverName: string; requiredMethods: readonly string[]; prototype: object} | undefined {
  if (typeof exported !== 'function' || typeof exported.prototype !== 'object') return undefined
  for (let base: unknown = exported; typeof base === 'function'; base = Object.getPrototypeOf(base)) {
    const required: unknown = Object.hasOwn(base, 'requiredMethods') ? Reflect.get(base, 'requiredMethods') : undefined
    if (Array.isArray(required) && required.length > 0) {
      return {name: base.name, driverName: exported.name, requiredMethods: required as string[], prototype: exported.prototype as object}
    }
  }
  return undefined
}
