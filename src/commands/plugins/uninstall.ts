import {Args} from '@oclif/core'
import {StewardCommand} from '../../cli/base-command.js'
import {uninstallPlugin} from '../../plugins/plugin-installer.js'
import {userPluginsManifestPath, type UserPluginRecord} from '../../plugins/user-plugins.js'

export default class PluginsUninstall extends StewardCommand {
  static override summary = 'Uninstall an installed plugin, or unlink a linked one.'
  static override description = 'Running hosts stop offering its managers and drivers without a restart. Bundled plugins and plugin_dirs are not affected: remove the folder or the configuration entry instead.'
  static override aliases = ['plugins:unlink', 'plugins:remove']
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> <%= command.id %> steward-plugin-clock', '<%= config.bin %> <%= command.id %> ./steward-plugin-clock']

  static override args = {
    plugin: Args.string({description: 'Name of the plugin, or the folder of a linked one.', required: true}),
  }

  async run(): Promise<UserPluginRecord> {
    const {args} = await this.parse(PluginsUninstall)
    const removed = await uninstallPlugin(args.plugin, {manifest: userPluginsManifestPath(), cwd: process.cwd()})
    await this.config.runHook('plugins:postuninstall', {})
    this.log(`${removed.type === 'link' ? 'Unlinked' : 'Uninstalled'} ${removed.name}.`)
    return removed
  }
}
