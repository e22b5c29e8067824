import {StewardCommand} from '../cli/base-command.js'
import {textTable} from '../cli/text-table.js'
import {withStore} from '../cli/with-store.js'
import {viewHost, type HostView} from '../service/service-state.js'

export type {HostView} from '../service/service-state.js'

export default class Hosts extends StewardCommand {
  static override summary = 'List the hosts the state store knows, with endpoint, pid, start time, liveness and API URL.'
  static override description = 'A host is up while its heartbeat is at most service_down_time seconds old, stopped after a clean stop, down otherwise. API shows the URL of the HTTP API a running host serves (`steward start api`).'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> hosts', '<%= config.bin %> hosts --json']

  async run(): Promise<HostView[]> {
    const {flags} = await this.parse(Hosts)
    const config = this.loadConfig(flags)
    const now = new Date()
    const hosts = (await withStore(config, (store) => store.listHosts())).map((host) => viewHost(host, now, config.options.service_down_time))
    if (!this.jsonEnabled()) {
      this.log(
        textTable(
          ['Host', 'State', 'Endpoint', 'Pid', 'Started at', 'Last heartbeat', 'CURVE', 'API'],
          hosts.map((host) => [host.name, host.state, host.endpoint, String(host.pid), host.startedAt, host.updatedAt, host.curve ? 'yes' : 'no', host.apis.map((api) => api.url).join(', ') || '-']),
        ),
      )
    }
    return hosts
  }
}
