import {Args} from '@oclif/core'
import {StewardCommand} from '../../cli/base-command.js'
import {linkPlugin, type AddedPlugin} from '../../plugins/plugin-installer.js'
import {userPluginsManifestPath} from '../../plugins/user-plugins.js'

export default class PluginsLink extends StewardCommand {
  static override summary = 'Link a local plugin folder, to use it in place while you work on it.'
  static override description = `Records the folder in steward's data directory without copying it, so steward uses it in place, edits included: its managers and drivers are found like those of plugin_dirs, and running hosts pick it up without a restart. It replaces an installed plugin of the same name. Install its dependencies yourself (npm install in the folder). Undo with \`<%= config.bin %> plugins uninstall <name or path>\`.`
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> <%= command.id %> ./steward-plugin-clock', '<%= config.bin %> <%= command.id %> .']

  static override args = {
    path: Args.string({description: 'The plugin folder (with its package.json).', default: '.'}),
  }

  async run(): Promise<AddedPlugin> {
    const {args} = await this.parse(PluginsLink)
    const added = await linkPlugin(args.path, {manifest: userPluginsManifestPath(), cwd: process.cwd()})
    await this.config.runHook('plugins:postinstall', {})
    this.log(`Linked ${added.name} ${added.version} from ${added.dir}.`)
    return added
  }
}
