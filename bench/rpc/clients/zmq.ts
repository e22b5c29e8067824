import {Dealer} from 'zeromq'
import type {Answer, BenchClient, FanoutClient, Payload} from '../common.js'
import {SendQueue} from '../send-queue.js'

interface Pending {
  resolve: (answer: Answer) => void
  reject: (error: unknown) => void
}

/**
 * Raw zeromq.js client: a DEALER, a 4-byte correlation-id frame per call, the calls waiting for
 * their answers in a map, the sends through a queue (zeromq.js allows one send at a time).
 */
export async function connectZmq(endpoint: string): Promise<BenchClient> {
  const dealer = new Dealer({linger: 0})
  dealer.connect(endpoint)
  const queue = new SendQueue(dealer)
  const pending = new Map<number, Pending>()
  let nextId = 0
  const noId = Buffer.alloc(0)

  const receiving = (async () => {
    for await (const [id, body] of dealer) {
      if (id === undefined || body === undefined || id.length !== 4) continue
      const key = id.readUInt32LE(0)
      const waiting = pending.get(key)
      if (waiting === undefined) continue
      pending.delete(key)
      waiting.resolve(JSON.parse(body.toString('utf8')) as Answer)
    }
  })()
  receiving.catch(() => undefined)

  return {
    call(payload: Payload): Promise<Answer> {
      const key = nextId
      nextId = (nextId + 1) >>> 0
      const id = Buffer.allocUnsafe(4)
      id.writeUInt32LE(key, 0)
      return new Promise<Answer>((resolve, reject) => {
        pending.set(key, {resolve, reject})
        queue.send([id, JSON.stringify(payload)]).catch((error: unknown) => {
          pending.delete(key)
          reject(error)
        })
      })
    },
    cast(payload: Payload): Promise<void> {
      return queue.send([noId, JSON.stringify(payload)])
    },
    async close(): Promise<void> {
      dealer.close()
      for (const waiting of pending.values()) waiting.reject(new Error('closed'))
      pending.clear()
      await receiving.catch(() => undefined)
    },
  }
}

/** The connections of a fan-out: one DEALER per host; a cast is encoded once and sent to each. */
export function connectZmqFanout(endpoints: readonly string[]): FanoutClient {
  const dealers = endpoints.map((endpoint) => {
    const dealer = new Dealer({linger: 0})
    dealer.connect(endpoint)
    return dealer
  })
  const queues = dealers.map((dealer) => new SendQueue(dealer))
  const noId = Buffer.alloc(0)
  return {
    async cast(payload: Payload): Promise<void> {
      const body = JSON.stringify(payload)
      await Promise.all(queues.map((queue) => queue.send([noId, body])))
    },
    close(): void {
      for (const dealer of dealers) dealer.close()
    },
  }
}
