import {Flags} from '@oclif/core'
import {StewardCommand} from '../../cli/base-command.js'
import {cleanupStoppedServices} from '../../service/cleanup-services.js'
import {withStore} from '../../cli/with-store.js'

export default class ServicesCleanup extends StewardCommand {
  static override summary = 'Delete records of services that stopped cleanly and have shown no life for service_down_time.'
  static override description = 'Running hosts do the same for their topics every cleanup_interval seconds.'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> services cleanup', '<%= config.bin %> services cleanup --topic share --json']

  static override flags = {
    topic: Flags.string({summary: 'Only records of this topic.'}),
  }

  async run(): Promise<Array<{id: number; host: string; binary: string}>> {
    const {flags} = await this.parse(ServicesCleanup)
    const config = this.loadConfig(flags)
    const removed = await withStore(config, (store) =>
      cleanupStoppedServices(store, {...(flags.topic && {topic: flags.topic}), now: new Date(), downTimeSeconds: config.options.service_down_time}),
    )
    this.log(removed.length === 0 ? 'Nothing to clean up.' : removed.map((record) => `Removed ${record.binary} on ${record.host} (id ${record.id}).`).join('\n'))
    return removed
  }
}
