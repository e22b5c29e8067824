import {Flags} from '@oclif/core'
import {StewardCommand} from '../../cli/base-command.js'
import {disableService} from '../../service/service-admin.js'
import {viewService, type ServiceView} from '../../service/service-state.js'
import {withStore} from '../../cli/with-store.js'

export default class ServicesDisable extends StewardCommand {
  static override summary = 'Disable a service: it keeps running and answering calls, but schedulers skip it.'
  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> services disable --host node1 --binary steward-share',
    '<%= config.bin %> services disable --host node1 --binary steward-share --reason "disk replacement"',
  ]

  static override flags = {
    host: Flags.string({summary: 'Host of the service.', required: true}),
    binary: Flags.string({summary: 'Binary of the service (steward-<topic>).', required: true}),
    reason: Flags.string({summary: 'Why, 1 to 255 characters; shown in listings.'}),
  }

  async run(): Promise<ServiceView> {
    const {flags} = await this.parse(ServicesDisable)
    const config = this.loadConfig(flags)
    const record = await withStore(config, (store) => disableService(store, flags.host, flags.binary, flags.reason))
    this.log(`Disabled ${record.binary} on ${record.host}${record.disabledReason === null ? '' : ` (${record.disabledReason})`}.`)
    return viewService(record, new Date(), config.options.service_down_time)
  }
}
