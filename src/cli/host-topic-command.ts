import {Args, Flags} from '@oclif/core'
import type {ServiceSummary} from '../service/host-topic.js'
import {StewardCommand} from './base-command.js'
import {textTable} from './text-table.js'
import {withRpcClient} from './with-rpc-client.js'

/** A command that asks a running host, through its host topic, to act on one of its services. */
export abstract class HostTopicCommand extends StewardCommand {
  static override enableJsonFlag = true

  static override args = {
    topic: Args.string({description: 'Topic of the service (topic@backend for one backend), or api for the HTTP API.', required: true}),
  }

  static override flags = {
    host: Flags.string({summary: 'The running host to ask (default: the "host" option, this machine\'s name).'}),
    timeout: Flags.string({summary: 'Seconds to wait for the host to finish (default rpc_response_timeout).'}),
  }

  /** The host topic method this command calls. */
  protected abstract readonly method: 'start_service' | 'stop_service' | 'reload_service'

  async run(): Promise<ServiceSummary> {
    // oclif's parse spreads the class, which drops inherited statics such as args: name them.
    const command = this.constructor as typeof HostTopicCommand
    const {args, flags} = await this.parse({...command, args: command.args, flags: command.flags, baseFlags: command.baseFlags, enableJsonFlag: true})
    const config = this.loadConfig(flags, flags.host === undefined ? {} : {host: flags.host})
    const {HOST_TOPIC} = await import('../rpc/target-resolver.js')
    const summary = (await withRpcClient(config, (client, ctx) =>
      client
        .prepare({topic: HOST_TOPIC, server: config.options.host, ...(flags.timeout === undefined ? {} : {timeout: Number(flags.timeout)})})
        .call(ctx, this.method, {topic: args.topic}),
    )) as ServiceSummary
    if (!this.jsonEnabled()) {
      const generation = summary.generation
      const reload = generation?.lastReload
      this.log(
        textTable(
          ['Host', 'Binary', 'State', 'Generation', 'Reloads', 'Last reload'],
          [[summary.host, summary.binary, summary.state, generation === null ? '-' : `${generation.generation} (${generation.state})`, String(generation?.reloads ?? 0), reload === undefined ? '-' : `${reload.ok ? 'ok' : `failed: ${reload.error}`} (${reload.trigger}, ${reload.durationMs} ms)`]],
        ),
      )
    }
    return summary
  }
}
