import type {ApiPipelineEntry} from '../api/api-types.js'
import type {ManagerClass} from '../manager/manager.js'

/** What a plugin's entry module default-exports. */
export interface PluginDefinition {
  /** The plugin's name; the `name` of its package.json. */
  name: string
  /** The steward versions it works with, as a semver range (`^0.1.0`). */
  steward: string
  /** Managers by name; the names must match `steward.managers` of package.json. */
  managers?: Record<string, ManagerClass>
  /** Drivers by name (a class, a factory or an object); must match `steward.drivers`. */
  drivers?: Record<string, unknown>
  /**
   * HTTP API route sets and middleware by name, for `api_pipeline` (docs/api.md); must match
   * `steward.routes`. They run in the host's own thread, not in a generation.
   */
  routes?: Record<string, ApiPipelineEntry>
}

const PLUGIN_BRAND = 'steward.plugin/1'

export interface DefinedPlugin extends PluginDefinition {
  readonly kind: typeof PLUGIN_BRAND
}

/**
 * Declare a plugin: the default export of its entry module.
 *
 * @example
 * export default definePlugin({
 *   name: 'steward-plugin-clock',
 *   steward: '^0.1.0',
 *   managers: {clock: ClockManager},
 *   drivers: {system: SystemClockDriver},
 * })
 */
export function definePlugin(definition: PluginDefinition): DefinedPlugin {
  return {...definition, kind: PLUGIN_BRAND}
}

/** Checks the brand rather than a class, so definitions from another copy of the SDK pass. */
export function isDefinedPlugin(value: unknown): value is DefinedPlugin {
  return typeof value === 'object' && value !== null && (value as {kind?: unknown}).kind === PLUGIN_BRAND
}
