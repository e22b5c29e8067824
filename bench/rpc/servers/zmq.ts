// Raw zeromq.js echo server: a ROUTER read with `for await`, answering each call with its
// correlation-id frame. Frames in: [peer, id, payload]; an empty id is a cast (no answer).
//
//   node --import tsx bench/rpc/servers/zmq.ts --endpoint tcp://127.0.0.1:0 [--ack ENDPOINT --index N]
//
// With --ack, every cast is also acknowledged on a PUSH socket connected to ENDPOINT as
// [index, seq] (the fan-out benchmark counts these).
import {Router} from 'zeromq'
import {answer, argument, exitWithParent, type Payload, printReady} from '../common.js'
import {acknowledgerFromArgs} from '../acknowledger.js'

const endpoint = argument('endpoint').replace(/:0$/, ':*')

const router = new Router({linger: 0})
await router.bind(endpoint)
const acknowledger = acknowledgerFromArgs()
exitWithParent(() => {
  router.close()
  acknowledger?.close()
})
printReady({endpoint: router.lastEndpoint ?? endpoint})

let casts = 0
for await (const [peer, id, body] of router) {
  if (peer === undefined || id === undefined || body === undefined) continue
  const request = JSON.parse(body.toString('utf8')) as Payload
  if (id.length === 0) {
    casts++
    acknowledger?.ack(request.seq)
    continue
  }
  await router.send([peer, id, JSON.stringify(answer(request, casts))])
}
