import {Args, Flags} from '@oclif/core'
import {parseArgsJson} from '../cli/args-json.js'
import {StewardCommand} from '../cli/base-command.js'
import {withRpcClient} from '../cli/with-rpc-client.js'

export default class Call extends StewardCommand {
  static override summary = 'Call an RPC method of a service and print its result.'
  static override description = 'Reaches any live service of the topic (round-robin), or one host\'s with --server. Prints the result as JSON; with --json as {"result": …}. Exits non-zero with the error\'s code and message when the call fails.'
  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> call sysinfo latest',
    '<%= config.bin %> call sysinfo latest --server node2 --json',
    '<%= config.bin %> call share extend \'{"shareId": "s1", "size": 20}\' --version 1.3 --timeout 5',
  ]

  static override args = {
    topic: Args.string({description: 'Topic of the service.', required: true}),
    method: Args.string({description: 'RPC method.', required: true}),
    args: Args.string({description: 'Arguments as a JSON object (default {}).'}),
  }

  static override flags = {
    server: Flags.string({summary: 'The service host to call (topic.server), such as node1 or node1@backend.'}),
    version: Flags.string({summary: 'RPC API version the call needs, major.minor.'}),
    timeout: Flags.string({summary: 'Seconds to wait for the reply (default rpc_response_timeout).'}),
  }

  async run(): Promise<{result: unknown}> {
    const {args, flags} = await this.parse(Call)
    const config = this.loadConfig(flags)
    const callArgs = parseArgsJson(args.args)
    const result = await withRpcClient(config, (client, ctx) =>
      client
        .prepare({
          topic: args.topic,
          ...(flags.server === undefined ? {} : {server: flags.server}),
          ...(flags.version === undefined ? {} : {version: flags.version}),
          ...(flags.timeout === undefined ? {} : {timeout: Number(flags.timeout)}),
        })
        .call(ctx, args.method, callArgs),
    )
    if (!this.jsonEnabled()) this.log(JSON.stringify(result, null, 2))
    return {result}
  }
}
