import {HostTopicCommand} from '../../cli/host-topic-command.js'

export default class ServicesReload extends HostTopicCommand {
  static override summary = 'Load a service\'s plugin code anew, without dropping a call.'
  static override description = 'The host loads a new generation of the service\'s manager and drivers, checks it (load, validate, initHost), swaps it in, and lets the old one finish its calls. If the new one fails, the old one keeps serving and the error is shown. Also brings an errored service back.'
  static override examples = ['<%= config.bin %> services reload sysinfo', '<%= config.bin %> services reload share --host node2 --json']
  protected readonly method = 'reload_service'
}
