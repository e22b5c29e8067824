import {HostTopicCommand} from '../../cli/host-topic-command.js'

export default class ServicesStart extends HostTopicCommand {
  static override summary = 'Start a service on a running host, without restarting it.'
  static override description = 'Asks the host (through its host topic) to start a service of the topic, with the manager its configuration names. Plugins installed or linked since the host started are found. `api` starts the host\'s HTTP API (docs/api.md).'
  static override examples = ['<%= config.bin %> services start probe', '<%= config.bin %> services start share --host node2 --json', '<%= config.bin %> services start api --host node1']
  protected readonly method = 'start_service'
}
