import {Flags} from '@oclif/core'
import {StewardCommand} from '../../cli/base-command.js'
import {textTable} from '../../cli/text-table.js'
import {describeSource, type StewardConfig} from '../../config/load-config.js'

interface ShownConfig {
  file: string | null
  options: Record<string, unknown>
  sources?: Record<string, string>
}

export default class ConfigShow extends StewardCommand {
  static override summary = 'Print the effective configuration, and with --sources where each value came from.'
  static override description = 'Layers, lowest first: defaults, the config file (--config, STEWARD_CONFIG or ./steward.json), STEWARD_* environment variables, flags.'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> config show', '<%= config.bin %> config show --sources', 'STEWARD_REPORT_INTERVAL=5 <%= config.bin %> config show --sources --json']

  static override flags = {
    sources: Flags.boolean({summary: 'Show where each value came from (default, file, env or flag).'}),
  }

  async run(): Promise<ShownConfig> {
    const {flags} = await this.parse(ConfigShow)
    const config = this.loadConfig(flags)
    const values = flatten(config)
    if (!this.jsonEnabled()) {
      const headers = flags.sources ? ['Option', 'Value', 'Source'] : ['Option', 'Value']
      this.log(textTable(headers, Object.entries(values).map(([key, value]) => [key, JSON.stringify(value), ...(flags.sources ? [describeSource(config.sources[key])] : [])])))
    }
    const shown: ShownConfig = {file: config.file ?? null, options: {...config.options, ...config.topics}}
    if (flags.sources) shown.sources = Object.fromEntries(Object.keys(values).map((key) => [key, describeSource(config.sources[key])]))
    return shown
  }
}

/** Core options, then every topic option as `topic.key`. */
function flatten(config: StewardConfig): Record<string, unknown> {
  const values: Record<string, unknown> = {...config.options}
  for (const [topic, section] of Object.entries(config.topics)) {
    for (const [key, value] of Object.entries(section)) values[`${topic}.${key}`] = value
  }
  return values
}
