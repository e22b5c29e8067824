import {Args, Flags} from '@oclif/core'
import {parseArgsJson} from '../cli/args-json.js'
import {StewardCommand} from '../cli/base-command.js'
import {withRpcClient} from '../cli/with-rpc-client.js'

export default class Cast extends StewardCommand {
  static override summary = 'Send an RPC message to a service without waiting for a reply.'
  static override description = 'At most once: no reply and no error come back from the service. With --fanout it goes to every live service of the topic.'
  static override examples = [
    '<%= config.bin %> cast share publishServiceCapabilities --fanout',
    '<%= config.bin %> cast sysinfo sample --server node2',
  ]

  static override args = {
    topic: Args.string({description: 'Topic of the service.', required: true}),
    method: Args.string({description: 'RPC method.', required: true}),
    args: Args.string({description: 'Arguments as a JSON object (default {}).'}),
  }

  static override flags = {
    server: Flags.string({summary: 'The service host to send to (topic.server).'}),
    fanout: Flags.boolean({summary: 'Send to every live service of the topic.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Cast)
    const config = this.loadConfig(flags)
    const castArgs = parseArgsJson(args.args)
    await withRpcClient(config, (client, ctx) =>
      client.prepare({topic: args.topic, fanout: flags.fanout, ...(flags.server === undefined ? {} : {server: flags.server})}).cast(ctx, args.method, castArgs),
    )
    this.log(`Sent ${args.topic}.${args.method}${flags.fanout ? ' to every live service' : ''}.`)
  }
}
