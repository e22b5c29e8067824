// Raw zeromq.js echo server: a ROUTER read with `for await`, answering each call with its
// correlation-id frame. Frames in: [peer, id, payload]; an empty id is a cast (no answer).
//
//   node --import tsx bench/rpc/servers/zmq.ts --endpoint tcp://127.0.0.1:0 [--ack ENDPOINT --index N]
//
// With --ack, every cast is also acknowledged on a PUSH socket connected to ENDPOINT as
// [index, seq] (the fan-out benchmark counts these).
import {Push, Router} from 'zeromq'
import {answer, argument, exitWithParent, type Payload, printReady} from '../common.js'
import {SendQueue} from '../send-queue.js'

const endpoint = argument('endpoint').replace(/:0$/, ':*')
const ackEndpoint = process.argv.includes('--ack') ? argument('ack') : undefined
const index = argument('index', '0')

const router = new Router({linger: 0})
await router.bind(endpoint)
let ack: SendQueue | undefined
let push: Push | undefined
if (ackEndpoint !== undefined) {
  push = new Push({linger: 0})
  push.connect(ackEndpoint)
  ack = new SendQueue(push)
}
exitWithParent(() => {
  router.close()
  push?.close()
})
printReady({endpoint: router.lastEndpoint ?? endpoint})

let casts = 0
for await (const [peer, id, body] of router) {
  if (peer === undefined || id === undefined || body === undefined) continue
  const request = JSON.parse(body.toString('utf8')) as Payload
  if (id.length === 0) {
    casts++
    if (ack !== undefined) void ack.send([index, String(request.seq)])
    continue
  }
  await router.send([peer, id, JSON.stringify(answer(request, casts))])
}
