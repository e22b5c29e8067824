import {Flags} from '@oclif/core'
import {StewardCommand} from '../../cli/base-command.js'
import {enableService} from '../../service/service-admin.js'
import {viewService, type ServiceView} from '../../service/service-state.js'
import {withStore} from '../../cli/with-store.js'

export default class ServicesEnable extends StewardCommand {
  static override summary = 'Enable a service, so schedulers use it again; clears the disabled reason.'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> services enable --host node1 --binary steward-share']

  static override flags = {
    host: Flags.string({summary: 'Host of the service.', required: true}),
    binary: Flags.string({summary: 'Binary of the service (steward-<topic>).', required: true}),
  }

  async run(): Promise<ServiceView> {
    const {flags} = await this.parse(ServicesEnable)
    const config = this.loadConfig(flags)
    const record = await withStore(config, (store) => enableService(store, flags.host, flags.binary))
    this.log(`Enabled ${record.binary} on ${record.host}.`)
    return viewService(record, new Date(), config.options.service_down_time)
  }
}
