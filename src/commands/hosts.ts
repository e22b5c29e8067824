import {StewardCommand} from '../cli/base-command.js'
import {textTable} from '../cli/text-table.js'
import {withStore} from '../cli/with-store.js'
import {hostState, type ServiceState} from '../service/service-state.js'

export interface HostView {
  name: string
  endpoint: string
  pid: number
  version: string
  startedAt: string
  updatedAt: string
  state: ServiceState
  curve: boolean
}

export default class Hosts extends StewardCommand {
  static override summary = 'List the hosts the state store knows, with endpoint, pid, start time and liveness.'
  static override description = 'A host is up while its heartbeat is at most service_down_time seconds old, stopped after a clean stop, down otherwise.'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> hosts', '<%= config.bin %> hosts --json']

  async run(): Promise<HostView[]> {
    const {flags} = await this.parse(Hosts)
    const config = this.loadConfig(flags)
    const now = new Date()
    const hosts = (await withStore(config, (store) => store.listHosts())).map((host) => ({
      name: host.name,
      endpoint: host.endpoint,
      pid: host.pid,
      version: host.version,
      startedAt: host.startedAt,
      updatedAt: host.updatedAt,
      state: hostState(host, now, config.options.service_down_time),
      curve: host.publicKey !== null,
    }))
    if (!this.jsonEnabled()) {
      this.log(
        textTable(
          ['Host', 'State', 'Endpoint', 'Pid', 'Started at', 'Last heartbeat', 'CURVE'],
          hosts.map((host) => [host.name, host.state, host.endpoint, String(host.pid), host.startedAt, host.updatedAt, host.curve ? 'yes' : 'no']),
        ),
      )
    }
    return hosts
  }
}
