import {StewardCommand} from '../cli/base-command.js'
import {listProvided, type ProvidedItem} from '../cli/plugin-listing.js'

export default class Managers extends StewardCommand {
  static override summary = 'List the managers the plugins provide, with the providing plugin.'
  static override description = "Reads the plugins' package.json files only; no plugin code runs."
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> managers', '<%= config.bin %> managers --json']

  async run(): Promise<ProvidedItem[]> {
    const {flags} = await this.parse(Managers)
    return listProvided(this, this.loadConfig(flags).options, 'managers')
  }
}
