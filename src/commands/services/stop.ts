import {HostTopicCommand} from '../../cli/host-topic-command.js'

export default class ServicesStop extends HostTopicCommand {
  static override summary = 'Stop one service of a running host; the host runs on.'
  static override description = 'Stops the service gracefully (in-flight calls and periodic tasks finish within graceful_shutdown_timeout); its record reads "stopped". `api` stops the HTTP API the same way: requests in flight finish.'
  static override examples = ['<%= config.bin %> services stop probe', '<%= config.bin %> services stop share --host node2 --json', '<%= config.bin %> services stop api']
  protected readonly method = 'stop_service'
}
