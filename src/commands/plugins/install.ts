import {Args, Flags} from '@oclif/core'
import {StewardCommand} from '../../cli/base-command.js'
import {installPlugin, type AddedPlugin} from '../../plugins/plugin-installer.js'
import {userPluginsManifestPath} from '../../plugins/user-plugins.js'

export default class PluginsInstall extends StewardCommand {
  static override summary = 'Install a plugin from npm, a git repository or a tarball.'
  static override description = `Installs the package with npm into steward's data directory ($XDG_DATA_HOME/steward, else ~/.local/share/steward) and records it there. Its managers and drivers are then found like those of plugin_dirs, running hosts pick it up without a restart, and CLI commands it adds (package.json "oclif") join steward's.

Takes an npm name (with an optional @version or @tag), a git URL (git+https://, git+ssh://, git+file://), a GitHub owner/repo, or a local path to a tarball made by \`npm pack\` or to a git repository. npm's settings apply: npm_config_offline=true installs without a network from local sources and npm's cache.`
  static override aliases = ['plugins:add']
  static override enableJsonFlag = true
  static override examples = [
    {description: 'Install from the npm registry.', command: '<%= config.bin %> <%= command.id %> steward-plugin-clock'},
    {description: 'Install a packed tarball.', command: '<%= config.bin %> <%= command.id %> ./steward-plugin-clock-1.0.0.tgz'},
    {description: 'Install from a local git repository.', command: '<%= config.bin %> <%= command.id %> ~/src/steward-plugin-clock'},
    {description: 'Install from a git URL.', command: '<%= config.bin %> <%= command.id %> git+https://github.com/someone/steward-plugin-clock.git'},
  ]

  static override args = {
    plugin: Args.string({description: 'npm name, git URL, GitHub owner/repo, or path to a tarball or git repository.', required: true}),
  }

  static override flags = {
    force: Flags.boolean({char: 'f', summary: 'Make npm fetch again even when it has a copy.'}),
  }

  async run(): Promise<AddedPlugin> {
    const {args, flags} = await this.parse(PluginsInstall)
    const added = await installPlugin(args.plugin, {manifest: userPluginsManifestPath(), cwd: process.cwd(), force: flags.force})
    await this.config.runHook('plugins:postinstall', {})
    this.log(`Installed ${added.name} ${added.version} in ${added.dir}.`)
    return added
  }
}
