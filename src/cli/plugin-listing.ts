import type {CoreOptions} from '../config/options.js'
import {PluginRegistry} from '../plugins/plugin-registry.js'
import type {StewardCommand} from './base-command.js'
import {textTable} from './text-table.js'

/** A manager or driver and the plugin that provides it. */
export interface ProvidedItem {
  name: string
  plugin: string
  version: string
  source: string
  file: string
}

/** What the plugins provide of one kind, read from their package.json files only. */
function providedItems(registry: PluginRegistry, kind: 'managers' | 'drivers'): ProvidedItem[] {
  return registry.plugins.flatMap((plugin) =>
    plugin[kind].map((name) => ({name, plugin: plugin.name, version: plugin.version, source: plugin.source, file: plugin.entry})),
  )
}

/**
 * List what the plugins provide of one kind; plugins that could not be read are warned about on
 * stderr, so --json output stays clean.
 */
export function listProvided(command: StewardCommand, options: Pick<CoreOptions, 'plugin_dirs'>, kind: 'managers' | 'drivers'): ProvidedItem[] {
  const registry = PluginRegistry.discover(options)
  const items = providedItems(registry, kind)
  for (const problem of registry.problems) command.warn(`${problem.error.message} [${problem.error.code}]`)
  if (!command.jsonEnabled()) {
    command.log(textTable(['Name', 'Plugin', 'Version', 'Source', 'File'], items.map((item) => [item.name, item.plugin, item.version, item.source, item.file])))
  }
  return items
}
