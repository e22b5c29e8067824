import {Flags} from '@oclif/core'
import {StewardCommand} from '../../cli/base-command.js'
import {textTable} from '../../cli/text-table.js'
import {viewService, type ServiceView} from '../../service/service-state.js'
import {withStore} from '../../cli/with-store.js'

export default class ServicesList extends StewardCommand {
  static override summary = 'List services with their status and state.'
  static override description = `State is computed when read: "up" when the last heartbeat is at most service_down_time seconds old, "stopped" after a clean stop, "down" otherwise.`
  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> services list',
    '<%= config.bin %> services list --topic share --state up',
    '<%= config.bin %> services list --status disabled --json',
  ]

  static override flags = {
    host: Flags.string({summary: 'Only services of this host.'}),
    binary: Flags.string({summary: 'Only services of this binary (steward-<topic>).'}),
    topic: Flags.string({summary: 'Only services of this topic.'}),
    state: Flags.option({options: ['up', 'down', 'stopped'] as const, summary: 'Only services in this state.'})(),
    status: Flags.option({options: ['enabled', 'disabled'] as const, summary: 'Only enabled or disabled services.'})(),
  }

  async run(): Promise<ServiceView[]> {
    const {flags} = await this.parse(ServicesList)
    const config = this.loadConfig(flags)
    const filter = {...(flags.host && {host: flags.host}), ...(flags.binary && {binary: flags.binary}), ...(flags.topic && {topic: flags.topic})}
    const now = new Date()
    const services = (await withStore(config, (store) => store.listServices(filter)))
      .map((record) => viewService(record, now, config.options.service_down_time))
      .filter((service) => (flags.state === undefined || service.state === flags.state) && (flags.status === undefined || service.status === flags.status))
    if (!this.jsonEnabled()) {
      this.log(
        textTable(
          ['Id', 'Binary', 'Host', 'Zone', 'Status', 'State', 'Updated at', 'Disabled reason'],
          services.map((service) => [String(service.id), service.binary, service.host, service.zone, service.status, service.state, service.updatedAt ?? '-', service.disabledReason ?? '']),
        ),
      )
    }
    return services
  }
}
