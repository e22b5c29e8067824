// Moleculer 0.14 server: a `bench` service whose `echo` action answers from the parsed params,
// over the TCP transporter (no UDP discovery, random TCP port, loopback only).
//
//   node --import tsx bench/rpc/servers/moleculer.ts
import {ServiceBroker} from 'moleculer'
import {answer, exitWithParent, type Payload, printReady} from '../common.js'
import {LoopbackTcpTransporter, SERVER_NODE_ID} from '../moleculer-transport.js'

const transporter = new LoopbackTcpTransporter({})
const broker = new ServiceBroker({nodeID: SERVER_NODE_ID, logger: false, transporter})
broker.createService({
  name: 'bench',
  actions: {
    echo: (ctx) => answer(ctx.params as Payload, 0),
  },
})
await broker.start()
exitWithParent(() => broker.stop())
printReady({endpoint: `127.0.0.1:${transporter.port}`, nodeID: SERVER_NODE_ID})
