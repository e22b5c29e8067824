import {StewardCommand} from '../cli/base-command.js'
import {listProvided, type ProvidedItem} from '../cli/plugin-listing.js'

export default class Drivers extends StewardCommand {
  static override summary = 'List the drivers the plugins provide, with the providing plugin.'
  static override description = "Reads the plugins' package.json files only; no plugin code runs."
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> drivers', '<%= config.bin %> drivers --json']

  async run(): Promise<ProvidedItem[]> {
    const {flags} = await this.parse(Drivers)
    return listProvided(this, this.loadConfig(flags).options, 'drivers')
  }
}
