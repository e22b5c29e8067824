import {HostTopicCommand} from '../../cli/host-topic-command.js'

export default class ServicesReload extends HostTopicCommand {
  static override summary = 'Load a service\'s plugin code anew, without dropping a call.'
  static override description = 'The host loads a new generation of the service\'s manager and drivers, checks it (load, validate, initHost), swaps it in, and lets the old one finish its calls. If the new one fails, the old one keeps serving and the error is shown. Also brings an errored service back. `api` builds the HTTP API\'s application anew (token file, pipeline, plugins\' routes) without closing its port.'
  static override examples = ['<%= config.bin %> services reload sysinfo', '<%= config.bin %> services reload share --host node2 --json', '<%= config.bin %> services reload api --host node1']
  protected readonly method = 'reload_service'
}
