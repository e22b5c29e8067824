// The fan-out benchmark's acknowledgements, the same for every server: with --ack ENDPOINT
// --index N, each received cast is acknowledged as [index, seq] on a PUSH socket.
import {Push} from 'zeromq'
import {argument} from './common.js'
import {SendQueue} from './send-queue.js'

export interface Acknowledger {
  ack(seq: number): void
  close(): void
}

/** The acknowledger the command line asks for, or undefined without --ack. */
export function acknowledgerFromArgs(): Acknowledger | undefined {
  if (!process.argv.includes('--ack')) return undefined
  const index = argument('index', '0')
  const push = new Push({linger: 0})
  push.connect(argument('ack'))
  const queue = new SendQueue(push)
  return {
    ack: (seq) => void queue.send([index, String(seq)]),
    close: () => push.close(),
  }
}
