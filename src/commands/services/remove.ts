import {Flags} from '@oclif/core'
import {StewardCommand} from '../../cli/base-command.js'
import {removeService} from '../../service/service-admin.js'
import {withStore} from '../../cli/with-store.js'

export default class ServicesRemove extends StewardCommand {
  static override summary = 'Delete the record of a service (for example of a host that is gone for good).'
  static override description = 'A service that is still running recreates its record at its next heartbeat.'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> services remove --host old-node --binary steward-share']

  static override flags = {
    host: Flags.string({summary: 'Host of the service.', required: true}),
    binary: Flags.string({summary: 'Binary of the service (steward-<topic>).', required: true}),
  }

  async run(): Promise<{id: number; host: string; binary: string}> {
    const {flags} = await this.parse(ServicesRemove)
    const config = this.loadConfig(flags)
    const record = await withStore(config, (store) => removeService(store, flags.host, flags.binary))
    this.log(`Removed ${record.binary} on ${record.host} (id ${record.id}).`)
    return {id: record.id, host: record.host, binary: record.binary}
  }
}
