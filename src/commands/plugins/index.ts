import {StewardCommand} from '../../cli/base-command.js'
import {pluginStates, type PluginState} from '../../cli/plugin-states.js'
import {textTable} from '../../cli/text-table.js'
import {pluginDirectories} from '../../plugins/plugin-registry.js'
import {discoverPlugins} from '../../plugins/discover-plugins.js'

export default class Plugins extends StewardCommand {
  static override summary = 'List every plugin: bundled, from plugin_dirs, installed and linked, and whether it loads.'
  static override description = `Each plugin's code is loaded and checked as a host would load it, so a plugin that a host would refuse shows "failed" with the error code and why. Provides lists its managers, drivers, API routes and the CLI commands it adds.

Install and link plugins with \`<%= config.bin %> plugins install\` and \`<%= config.bin %> plugins link\`.`
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<PluginState[]> {
    const {flags} = await this.parse(Plugins)
    const locations = pluginDirectories(this.loadConfig(flags).options)
    const states = await pluginStates(discoverPlugins(locations), locations, this.config.getPluginsList())
    if (!this.jsonEnabled()) this.log(render(states))
    return states
  }
}

function render(states: readonly PluginState[]): string {
  const rows = states.map((plugin) => [plugin.name, plugin.version, plugin.source, plugin.error === undefined ? plugin.state : `${plugin.state} (${plugin.error.code})`, provided(plugin)])
  const failures = states.flatMap((plugin) => (plugin.error === undefined ? [] : [`${plugin.name}: ${plugin.error.message}`]))
  return [textTable(['Name', 'Version', 'Source', 'State', 'Provides'], rows), ...(failures.length > 0 ? ['', ...failures] : [])].join('\n')
}

function provided({provides}: PluginState): string {
  const parts = Object.entries(provides).flatMap(([kind, names]) => (names.length > 0 ? [`${kind}: ${names.join(', ')}`] : []))
  return parts.join('; ')
}
