import {Flags} from '@oclif/core'
import {StewardCommand} from '../cli/base-command.js'
import {withStore} from '../cli/with-store.js'
import {runningHostPid} from '../service/host-lock.js'
import {hostProcessOf, viewHost, viewService, type HostView, type ServiceState} from '../service/service-state.js'
import type {WorkerRecord} from '../store/types.js'

export interface HostStatus extends HostView {
  /** Whether its process runs on this machine now (its pid file is held). */
  running: boolean
  /** Seconds since it started, while it runs. */
  uptime: number | null
  services: Array<{binary: string; host: string; state: ServiceState; status: string}>
  workers: WorkerRecord[]
}

export default class Status extends StewardCommand {
  static override summary = 'Show the hosts: which run, their pids, uptime, services, API URL and worker processes.'
  static override description = 'Reads the state store and the pid files of <state_dir>/run. A worker process that kept dying at start is shown "errored": it is no longer restarted (fix it, then SIGHUP the host or restart it).'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --host node1', '<%= config.bin %> status --json']

  static override flags = {
    host: Flags.string({summary: 'Show only this host.'}),
  }

  async run(): Promise<HostStatus[]> {
    const {flags} = await this.parse(Status)
    const config = this.loadConfig(flags)
    const {state_dir: stateDir, service_down_time: downTime} = config.options
    const now = new Date()
    const [hosts, services] = await withStore(config, async (store) => [await store.listHosts(), await store.listServices()] as const)
    const statuses: HostStatus[] = []
    for (const record of hosts) {
      if (flags.host !== undefined && record.name !== flags.host) continue
      const running = (await runningHostPid(stateDir, record.name)) === record.pid
      const view = viewHost(record, now, downTime)
      statuses.push({
        ...view,
        running,
        uptime: running ? Math.max(0, Math.round((now.getTime() - Date.parse(record.startedAt)) / 1000)) : null,
        services: services
          .filter((service) => hostProcessOf(service.host) === record.name)
          .map((service) => viewService(service, now, downTime))
          .map(({binary, host, state, status}) => ({binary, host, state, status})),
        workers: running ? (record.workers ?? []) : [],
      })
    }
    if (!this.jsonEnabled()) this.log(statuses.length === 0 ? 'No hosts.' : statuses.map(formatStatus).join('\n\n'))
    return statuses
  }
}

function formatStatus(host: HostStatus): string {
  const head = `${host.name}  ${host.running ? 'running' : 'not running'} (${host.state})  pid ${host.pid}${host.uptime === null ? '' : `  up ${formatUptime(host.uptime)}`}  version ${host.version}`
  const lines = [head, `  endpoint  ${host.endpoint}`]
  if (host.apis.length > 0) lines.push(`  api       ${host.apis.map((api) => api.url).join(', ')}`)
  lines.push(`  services  ${host.services.map((service) => `${service.binary}${service.host === host.name ? '' : `@${service.host}`} ${service.state}${service.status === 'disabled' ? ' (disabled)' : ''}`).join(', ') || '-'}`)
  if (host.workers.length > 0) {
    lines.push(
      `  workers   ${host.workers
        .map((worker) => `${worker.name}#${worker.slot} ${worker.state}${worker.pid === null ? '' : ` (pid ${worker.pid})`}${worker.state === 'errored' ? ` after ${worker.unstableExits} unstable exits` : ''}${worker.restarts > 0 ? ` (restarted ${worker.restarts}×)` : ''}`)
        .join('; ')}`,
    )
  }
  return lines.join('\n')
}

function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400)
  const hours = Math.floor((seconds % 86_400) / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  const parts = [days > 0 ? `${days}d` : '', hours > 0 ? `${hours}h` : '', minutes > 0 ? `${minutes}m` : '', `${seconds % 60}s`]
  return parts.filter((part) => part !== '').slice(0, 2).join(' ')
}
