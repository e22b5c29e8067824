import {ServiceBroker} from 'moleculer'
import type {Answer, BenchClient, Payload} from '../common.js'
import {LoopbackTcpTransporter} from '../moleculer-transport.js'

let brokers = 0

/** A Moleculer broker of its own that knows the server's node by address, calling `bench.echo`. */
export async function connectMoleculer(endpoint: string, serverNodeID: string, timeoutMs: number): Promise<BenchClient> {
  const transporter = new LoopbackTcpTransporter({urls: [`${endpoint}/${serverNodeID}`]})
  const broker = new ServiceBroker({nodeID: `bench-client-${process.pid}-${brokers++}`, logger: false, transporter})
  await broker.start()
  try {
    await broker.waitForServices(['bench'], timeoutMs)
  } catch (error) {
    await broker.stop()
    throw new Error(`the Moleculer client did not discover the bench service on ${endpoint} within ${timeoutMs} ms`, {cause: error})
  }
  return {
    call: (payload: Payload) => broker.call<Answer, Payload>('bench.echo', payload),
    close: () => broker.stop(),
  }
}
