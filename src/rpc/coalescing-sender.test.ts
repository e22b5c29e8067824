import {describe, expect, it} from 'vitest'
import {CoalescingSender, EAGER_BATCH, type FrameSink} from './coalescing-sender.js'
import {decode, MAX_BATCH, type Message, type RequestHeader} from './protocol.js'

/** A socket that records what it is given, and fails if a send starts while one is in progress. */
class RecordingSink implements FrameSink {
  readonly sends: Array<Array<Buffer | string>> = []
  /** Sends begun, counted as they start. */
  started = 0
  private busy = false
  failNext: Error | undefined

  async send(frames: Array<Buffer | string>): Promise<void> {
    if (this.busy) throw new Error('EBUSY: two sends at once')
    this.started++
    this.busy = true
    await new Promise((resolve) => setImmediate(resolve))
    this.busy = false
    const failure = this.failNext
    this.failNext = undefined
    if (failure !== undefined) throw failure
    this.sends.push(frames)
  }

  /** The messages of each send, decoded as a receiver would (without a routing id). */
  decoded(withPeer = false): Message[][] {
    return this.sends.map((frames) => {
      const payload = (withPeer ? frames.slice(1) : frames).map((frame) => (typeof frame === 'string' ? Buffer.from(frame) : frame))
      const {messages, faults} = decode(payload)
      expect(faults).toEqual([])
      return messages
    })
  }
}

/** A socket whose sends complete when the test says so. */
class ManualSink implements FrameSink {
  started = 0
  private done: Array<() => void> = []

  send(): Promise<void> {
    this.started++
    return new Promise((resolve) => this.done.push(resolve))
  }

  finish(): void {
    this.done.shift()?.()
  }
}

const header: RequestHeader = {topic: 'share', method: 'echo', ctx: {requestId: 'req-1', caller: 'test'}}
const call = (id: string, body: Record<string, unknown> = {}): Message => ({type: 'call', id, header, body})
const reply = (id: string, body: unknown): Message => ({type: 'reply', id, header: {}, body})

function newSender(): {sink: RecordingSink; sender: CoalescingSender; errors: Array<{error: unknown; dropped: number}>} {
  const sink = new RecordingSink()
  const errors: Array<{error: unknown; dropped: number}> = []
  const sender = new CoalescingSender(sink, (error, dropped) => errors.push({error, dropped}))
  return {sink, sender, errors}
}

describe('CoalescingSender', () => {
  it('sends what is queued in one tick as one multipart message, in order', async () => {
    const {sink, sender} = newSender()
    for (const id of ['a', 'b', 'c']) sender.enqueue(call(id))
    await sender.idle()
    expect(sink.sends).toHaveLength(1)
    expect(sink.decoded()[0]!.map((message) => message.id)).toEqual(['a', 'b', 'c'])
  })

  it('keeps one batch per ROUTER peer, each led by its routing id', async () => {
    const {sink, sender} = newSender()
    const peerA = Buffer.from([0, 1])
    const peerB = Buffer.from([0, 2])
    sender.enqueue(reply('1', 'for a'), peerA)
    sender.enqueue(reply('2', 'for b'), peerB)
    sender.enqueue(reply('3', 'for a'), peerA)
    await sender.idle()
    expect(sink.sends.map((frames) => frames[0])).toEqual([peerA, peerB])
    expect(sink.decoded(true).map((batch) => batch.map((message) => message.id))).toEqual([['1', '3'], ['2']])
  })

  it('sends EAGER_BATCH messages at once, and what comes meanwhile after, in order', async () => {
    const {sink, sender} = newSender()
    const ids = Array.from({length: EAGER_BATCH + 10}, (_, index) => `m${index}`)
    for (const id of ids.slice(0, EAGER_BATCH)) sender.enqueue(call(id))
    expect(sink.sends).toHaveLength(0) // the send is under way
    for (const id of ids.slice(EAGER_BATCH)) sender.enqueue(call(id))
    await sender.idle()
    expect(sink.decoded().map((batch) => batch.length)).toEqual([EAGER_BATCH, 10])
    expect(sink.decoded().flat().map((message) => message.id)).toEqual(ids)
  })

  it('sends fewer than EAGER_BATCH messages at the end of the turn, not before', async () => {
    const {sink, sender} = newSender()
    for (let index = 0; index < EAGER_BATCH - 1; index++) sender.enqueue(call(`m${index}`))
    await Promise.resolve()
    expect(sink.sends).toHaveLength(0)
    await sender.idle()
    expect(sink.decoded().map((batch) => batch.length)).toEqual([EAGER_BATCH - 1])
  })

  it('sends at once on flushNow, without waiting for the end of the turn', async () => {
    const {sink, sender} = newSender()
    sender.enqueue(call('lone'))
    sender.flushNow()
    expect(sink.started).toBe(1)
    await sender.idle()
    expect(sink.decoded().flat().map((message) => message.id)).toEqual(['lone'])
  })

  it('is idle once flushNow has sent everything, with the end-of-turn flush still to come', async () => {
    // Sends that complete at once, as zeromq.js's usually do.
    const sent: string[] = []
    const sender = new CoalescingSender({send: async (frames) => void sent.push(String(frames[1]))}, () => undefined)
    sender.enqueue(call('lone'))
    sender.flushNow()
    await Promise.resolve()
    await sender.idle()
    expect(sent).toHaveLength(1)
  })

  it('on flushNow during an eager send, sends what is queued right after it, not at the end of the turn', async () => {
    const sink = new ManualSink()
    const sender = new CoalescingSender(sink, () => undefined)
    for (let index = 0; index < EAGER_BATCH; index++) sender.enqueue(call(`m${index}`))
    expect(sink.started).toBe(1)
    sender.enqueue(call('last'))
    sender.flushNow()
    sink.finish()
    for (let turn = 0; turn < 5; turn++) await Promise.resolve()
    expect(sink.started).toBe(2)
    sink.finish()
    await sender.idle()
  })

  it('splits more than MAX_BATCH messages into several sends, one at a time', async () => {
    const {sink, sender} = newSender()
    for (let index = 0; index < MAX_BATCH * 2 + 1; index++) sender.enqueue(call(`m${index}`))
    await sender.idle()
    // The first EAGER_BATCH leave at once; what was queued meanwhile follows, MAX_BATCH a send.
    expect(sink.decoded().map((batch) => batch.length)).toEqual([EAGER_BATCH, MAX_BATCH, MAX_BATCH - EAGER_BATCH + 1])
  })

  it('queues what comes during a send and sends it after, without overlapping sends', async () => {
    const {sink, sender, errors} = newSender()
    sender.enqueue(call('first'))
    await new Promise((resolve) => setImmediate(resolve)) // the first send is now in progress
    sender.enqueue(call('second'))
    await sender.idle()
    expect(errors).toEqual([])
    expect(sink.decoded().flat().map((message) => message.id)).toEqual(['first', 'second'])
  })

  it('reports a failed send with the number of messages lost, and keeps sending', async () => {
    const {sink, sender, errors} = newSender()
    const failure = new Error('EAGAIN')
    sink.failNext = failure
    sender.enqueue(call('lost-1'))
    sender.enqueue(call('lost-2'))
    await sender.idle()
    sender.enqueue(call('after'))
    await sender.idle()
    expect(errors).toEqual([{error: failure, dropped: 2}])
    expect(sink.decoded().flat().map((message) => message.id)).toEqual(['after'])
  })

  it('answers a reply that cannot be encoded with an error reply, and sends the rest of its batch', async () => {
    const {sink, sender, errors} = newSender()
    const depth = 100_000
    const deep = JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) as unknown
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    sender.enqueue(reply('ok-1', {fine: true}))
    sender.enqueue(reply('deep', deep))
    sender.enqueue(reply('big', {n: 10n}))
    sender.enqueue(reply('cycle', cycle))
    sender.enqueue(reply('ok-2', [1, 2]))
    await sender.idle()
    expect(errors).toEqual([])
    const [batch] = sink.decoded()
    expect(batch!.map((message) => [message.id, message.type])).toEqual([
      ['ok-1', 'reply'],
      ['deep', 'error'],
      ['big', 'error'],
      ['cycle', 'error'],
      ['ok-2', 'reply'],
    ])
    expect(batch![1]!.body).toMatchObject({name: 'StewardError', code: 'REMOTE_ERROR', message: expect.stringMatching(/^The result could not be encoded as JSON: Maximum call stack size exceeded/)})
    expect(batch![2]!.body).toMatchObject({code: 'REMOTE_ERROR', message: expect.stringMatching(/BigInt/)})
    expect(batch![4]!.body).toEqual([1, 2])
  })

  it('drops a call that cannot be encoded, reports it, and sends nothing when nothing is left', async () => {
    const {sink, sender, errors} = newSender()
    sender.enqueue(call('bad', {n: 1n}))
    await sender.idle()
    expect(sink.sends).toEqual([])
    expect(errors).toHaveLength(1)
    expect(errors[0]!.dropped).toBe(1)
    expect(String(errors[0]!.error)).toMatch(/BigInt/)
  })
})

describe('CoalescingSender under a size limit', () => {
  function limited(maxBytes: number): {sink: RecordingSink; sender: CoalescingSender; errors: Array<{error: unknown; dropped: number}>} {
    const sink = new RecordingSink()
    const errors: Array<{error: unknown; dropped: number}> = []
    return {sink, errors, sender: new CoalescingSender(sink, (error, dropped) => errors.push({error, dropped}), maxBytes)}
  }

  it('splits a batch whose frame would exceed the limit, keeping order and every message', async () => {
    const {sink, sender} = limited(2048)
    for (let index = 0; index < 40; index++) sender.enqueue(call(`c${index}`, {pad: 'x'.repeat(200)}))
    await sender.idle()
    expect(sink.sends.length).toBeGreaterThan(1)
    for (const frames of sink.sends) expect((frames[1] as Buffer).length).toBeLessThanOrEqual(2048)
    expect(sink.decoded().flat().map((message) => message.id)).toEqual(Array.from({length: 40}, (_, index) => `c${index}`))
  })

  it('answers a reply too large to send with MESSAGE_TOO_LARGE, and drops a request too large, reporting it', async () => {
    const {sink, sender, errors} = limited(1024)
    sender.enqueue(reply('r1', 'y'.repeat(5000)))
    sender.enqueue(call('c1', {pad: 'z'.repeat(5000)}))
    await sender.idle()
    const sent = sink.decoded().flat()
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({type: 'error', id: 'r1', body: {code: 'MESSAGE_TOO_LARGE'}})
    expect(errors).toHaveLength(1)
    expect(errors[0]!.error).toMatchObject({code: 'MESSAGE_TOO_LARGE'})
  })
})
