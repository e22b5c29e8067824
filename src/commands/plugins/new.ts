import path from 'node:path'
import {Args, Flags} from '@oclif/core'
import {StewardCommand} from '../../cli/base-command.js'
import type {PluginSkeleton} from '../../plugins/scaffold/write-plugin-skeleton.js'

export default class PluginsNew extends StewardCommand {
  static override summary = 'Create a plugin skeleton: a manager, a driver family with one driver, a README and a test.'
  static override description = `Writes <dir>/<name>/, a plugin that works as written: package.json with its "steward" field, the entry (definePlugin), a manager with RPC methods (status, read) and a periodic task (poll), a driver family with requiredMethods and one driver (<name>-counter), a README, and a test that runs the plugin in a real host with steward/testing (node:test, no test framework). TypeScript runs without a build. The folder must not exist yet.`
  static override enableJsonFlag = true
  static override examples = [
    {description: 'A TypeScript plugin in ./clock', command: '<%= config.bin %> <%= command.id %> clock'},
    {description: 'A JavaScript plugin in ~/steward-plugins/disk-usage', command: '<%= config.bin %> <%= command.id %> disk-usage --dir ~/steward-plugins --language js'},
    {description: 'Print what was written as JSON', command: '<%= config.bin %> <%= command.id %> clock --json'},
  ]

  static override args = {
    name: Args.string({description: 'The plugin, its manager and topic: lowercase letters, digits and dashes (clock, disk-usage).', required: true}),
  }

  static override flags = {
    dir: Flags.string({summary: 'Folder to create the plugin folder in.', default: '.'}),
    language: Flags.option({options: ['ts', 'js'] as const, summary: 'TypeScript or JavaScript.', default: 'ts' as const})(),
  }

  async run(): Promise<PluginSkeleton> {
    const {args, flags} = await this.parse(PluginsNew)
    const {writePluginSkeleton} = await import('../../plugins/scaffold/write-plugin-skeleton.js')
    const skeleton = await writePluginSkeleton({name: args.name, parent: path.resolve(flags.dir), language: flags.language})
    if (!this.jsonEnabled()) this.log(nextSteps(skeleton))
    return skeleton
  }
}

function nextSteps({package: packageName, dir, files, name}: PluginSkeleton): string {
  return [
    `Created ${packageName} in ${dir}:`,
    ...files.map((file) => `  ${file}`),
    '',
    'Next:',
    `  cd ${dir}`,
    '  npm install          # steward (for its types and steward/testing) and the dev tools',
    '  npm test             # runs the plugin in a real host',
    '',
    `Run it: add ${path.dirname(dir)} to plugin_dirs in steward.json (or \`steward plugins link ${dir}\`), then`,
    `  steward start ${name}`,
    `  steward call ${name} status`,
    '',
    'The guide to writing plugins: docs/plugins.md.',
  ].join('\n')
}
