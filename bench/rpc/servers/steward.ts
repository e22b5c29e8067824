// steward server: a host's RpcServer (ROUTER) and LocalDispatcher, as src/service/host.ts wires
// them, with one service endpoint on the `bench` topic. Its dispatch answers `echo` from the
// parsed arguments (common.ts), counts `cast`s, and answers the count to `echo` with op `count`.
//
//   node --import tsx bench/rpc/servers/steward.ts --endpoint tcp://127.0.0.1:0 [--server NAME]
//                                                  [--ack ENDPOINT --index N]
//
// With --ack, every cast is also acknowledged on a PUSH socket connected to ENDPOINT as
// [index, seq], as servers/zmq.ts does (the fan-out benchmark counts these).
import {LocalDispatcher} from '../../../src/rpc/local-dispatcher.js'
import {RpcServer} from '../../../src/rpc/server.js'
import {answer, argument, exitWithParent, type Payload, printReady} from '../common.js'
import {acknowledgerFromArgs} from '../acknowledger.js'
import {benchLogger, MAX_MESSAGE_SIZE, SERVER_NAME, TOPIC} from '../steward-parts.js'

const endpoint = argument('endpoint')
const server = argument('server', SERVER_NAME)

const acknowledger = acknowledgerFromArgs()

let casts = 0
const dispatcher = new LocalDispatcher()
dispatcher.listen({
  topic: TOPIC,
  server,
  version: '1.0',
  dispatch: async (_ctx, method, args) => {
    const request = args as unknown as Payload
    if (method === 'cast') {
      casts++
      acknowledger?.ack(request.seq)
      return null
    }
    if (method === 'echo') return answer(request, casts)
    throw new Error(`no method ${method}`)
  },
})
const rpc = new RpcServer({endpoint, dispatcher, log: benchLogger, host: server, maxMessageSize: MAX_MESSAGE_SIZE})
await rpc.bind()
exitWithParent(async () => {
  await rpc.close()
  acknowledger?.close()
})
printReady({endpoint: rpc.endpoint, nodeID: server})
