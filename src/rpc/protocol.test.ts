import {describe, expect, it} from 'vitest'
import {decode, encode, FRAME_COUNT, MAX_BATCH, MAX_ID_BYTES, MAX_NAME_LENGTH, MessageType, PROTOCOL_VERSION, SIGNATURE, type Decoded, type Message, type RequestHeader} from './protocol.js'

const header: RequestHeader = {
  topic: 'share',
  method: 'extend',
  server: 'node1@fast',
  version: '1.3',
  ctx: {requestId: 'req-0f3c', caller: 'node2', deadline: 1_900_000_000_000, traceParent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'},
}
const minimalHeader = {topic: 'share', method: 'extend', ctx: {requestId: 'r', caller: 'c'}}

/** What a receiver gets for these messages: the frames as Buffers. */
function wire(messages: readonly Message[]): Buffer[] {
  return encode(messages).map((frame) => (typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame))
}

/** A multipart message with a batch frame holding this JSON value (or these raw bytes). */
function raw(batch: unknown, signature: Buffer = SIGNATURE): Buffer[] {
  return [signature, typeof batch === 'string' ? Buffer.from(batch) : Buffer.from(JSON.stringify(batch))]
}

/** Decode one batch element and return its only fault. */
function faultOf(element: unknown): Decoded['faults'][number] {
  const {messages, faults} = decode(raw([element]))
  expect(messages).toEqual([])
  expect(faults).toHaveLength(1)
  return faults[0]!
}

describe('the signature and the frames', () => {
  it('is "STW" and the protocol version 1, then one frame of JSON', () => {
    expect(PROTOCOL_VERSION).toBe(1)
    expect([...SIGNATURE]).toEqual([0x53, 0x54, 0x57, 0x01])
    expect(FRAME_COUNT).toBe(2)
    const frames = encode([{type: 'ping', id: 'p1', header: {}, body: null}])
    expect(frames).toHaveLength(2)
    expect(frames[0]).toBe(SIGNATURE)
    expect(frames[1].toString('utf8')).toBe('[[5,"p1",{},null]]')
  })

  it('numbers the types 1 to 6', () => {
    expect(MessageType).toEqual({call: 1, cast: 2, reply: 3, error: 4, ping: 5, pong: 6})
  })
})

describe('round trips', () => {
  const wireError = {name: 'StewardError', code: 'NO_SUCH_METHOD', message: 'no such method', data: {method: 'x'}, retryable: false}
  const cases: Array<[string, Message]> = [
    ['a call with every header field', {type: 'call', id: 'c1', header, body: {shareId: 's1', size: 20, tags: ['a'], nested: {deep: [null, true]}}}],
    ['a call with only the required fields', {type: 'call', id: 'c2', header: minimalHeader, body: {}}],
    ['a cast', {type: 'cast', id: 'k1', header, body: {n: 1}}],
    ['a reply of an object', {type: 'reply', id: 'c1', header: {}, body: {ok: true, list: [1, 2.5, 'x']}}],
    ['a reply of null', {type: 'reply', id: 'c2', header: {}, body: null}],
    ['a reply of a string', {type: 'reply', id: 'c3', header: {}, body: 'ünïcödé ✓'}],
    ['a reply of an array', {type: 'reply', id: 'c4', header: {}, body: [1, [2, [3]]]}],
    ['an error', {type: 'error', id: 'c5', header: {}, body: wireError}],
    ['a ping', {type: 'ping', id: 'p1', header: {}, body: null}],
    ['a pong with its header', {type: 'pong', id: 'p1', header: {host: 'node1', pid: 4242}, body: null}],
  ]

  it.each(cases)('%s', (_name, message) => {
    expect(decode(wire([message]))).toEqual({messages: [message], faults: []})
  })

  it('sends an undefined reply body as null', () => {
    expect(decode(wire([{type: 'reply', id: 'u', header: {}, body: undefined}])).messages).toEqual([{type: 'reply', id: 'u', header: {}, body: null}])
  })

  it('keeps header fields it does not know (a newer sender may add optional ones)', () => {
    const future = {...minimalHeader, priority: 3, ctx: {...minimalHeader.ctx, tenant: 'acme'}}
    expect(decode(raw([[1, 'f1', future, {}]])).messages).toEqual([{type: 'call', id: 'f1', header: future, body: {}}])
  })
})

describe('batches', () => {
  it('carries several messages in one multipart message, in order', () => {
    const messages: Message[] = [
      {type: 'call', id: 'a', header, body: {}},
      {type: 'cast', id: 'b', header: minimalHeader, body: {x: 1}},
      {type: 'ping', id: 'c', header: {}, body: null},
    ]
    const frames = wire(messages)
    expect(frames).toHaveLength(2)
    expect(decode(frames)).toEqual({messages, faults: []})
  })

  it('decodes the good messages of a mixed batch and a fault for each bad one, with its id when readable', () => {
    const {messages, faults} = decode(
      raw([
        [1, 'good-1', minimalHeader, {}],
        [1, 'bad-header', {topic: 'share'}, {}],
        'not a message',
        [9, 'bad-type', {}, null],
        [2, 'good-2', minimalHeader, {}],
        [1, 'has space', minimalHeader, {}],
      ]),
    )
    expect(messages.map((message) => message.id)).toEqual(['good-1', 'good-2'])
    expect(faults.map((fault) => fault.id)).toEqual(['bad-header', undefined, 'bad-type', undefined])
    expect(faults.every((fault) => fault.code === 'PROTOCOL_ERROR')).toBe(true)
  })

  it(`takes ${MAX_BATCH} messages and refuses ${MAX_BATCH + 1} with one fault for the first id`, () => {
    const batch = (count: number): unknown[] => Array.from({length: count}, (_, index) => [5, `p${index}`, {}, null])
    expect(decode(raw(batch(MAX_BATCH))).messages).toHaveLength(MAX_BATCH)
    const refused = decode(raw(batch(MAX_BATCH + 1)))
    expect(refused.messages).toEqual([])
    expect(refused.faults).toEqual([{id: 'p0', code: 'PROTOCOL_ERROR', message: `${MAX_BATCH + 1} messages in one batch; at most ${MAX_BATCH}`}])
  })
})

describe('refusals of the whole multipart message', () => {
  const valid = [[1, 'c1', minimalHeader, {}]]

  it.each([
    ['no frames', [] as Buffer[]],
    ['an empty signature', [Buffer.alloc(0), Buffer.from(JSON.stringify(valid))]],
    ['a 3-byte signature', [Buffer.from('STW'), Buffer.from(JSON.stringify(valid))]],
    ['a 5-byte signature', [Buffer.from('STW\x01\x00', 'latin1'), Buffer.from(JSON.stringify(valid))]],
    ['another magic', raw(valid, Buffer.from('STX\x01', 'latin1'))],
    ['lower case', raw(valid, Buffer.from('stw\x01', 'latin1'))],
    ['the JSON first', [Buffer.from(JSON.stringify(valid)), SIGNATURE]],
  ])('refuses a wrong signature (%s) without an id, even when the batch has one', (_name, frames) => {
    expect(decode(frames)).toEqual({
      messages: [],
      faults: [{id: undefined, code: 'PROTOCOL_ERROR', message: 'the first frame is not a steward signature ("STW" and a version byte)'}],
    })
  })

  it.each([0, 2, 255])('refuses protocol version %i with PROTOCOL_VERSION_UNSUPPORTED and the id of the first message', (version) => {
    const {messages, faults} = decode(raw([[1, 'c1', minimalHeader, {}], [1, 'c2', minimalHeader, {}]], Buffer.from([0x53, 0x54, 0x57, version])))
    expect(messages).toEqual([])
    expect(faults).toEqual([{id: 'c1', code: 'PROTOCOL_VERSION_UNSUPPORTED', message: `protocol version ${version} is not spoken here; this host speaks 1`}])
  })

  it('refuses another protocol version without an id when the id cannot be read', () => {
    const signature = Buffer.from([0x53, 0x54, 0x57, 2])
    for (const frames of [raw('garbage', signature), raw([['x']], signature), raw([[1, '', {}, {}]], signature), [signature]]) {
      expect(decode(frames).faults).toEqual([expect.objectContaining({id: undefined, code: 'PROTOCOL_VERSION_UNSUPPORTED'})])
    }
  })

  it('refuses a signature alone and a message with extra frames, without an id', () => {
    expect(decode([SIGNATURE]).faults).toEqual([{id: undefined, code: 'PROTOCOL_ERROR', message: '1 frames: expected 2 (signature, batch)'}])
    const extra = [...raw(valid), Buffer.from('{}')]
    expect(decode(extra).faults).toEqual([{id: undefined, code: 'PROTOCOL_ERROR', message: '3 frames: expected 2 (signature, batch)'}])
    // The old layout (a frame per field) is refused the same way.
    const perField = [SIGNATURE, Buffer.from([1]), Buffer.from('c1'), Buffer.from(JSON.stringify(minimalHeader)), Buffer.from('{}')]
    expect(decode(perField).faults).toEqual([expect.objectContaining({id: undefined, code: 'PROTOCOL_ERROR'})])
  })

  it.each([
    ['bad JSON', '[[1,"c1",{},{}]'],
    ['not UTF-8 JSON', Buffer.from([0xff, 0xfe, 0x5b, 0x5d])],
    ['an empty frame', ''],
    ['an object', '{"type":1}'],
    ['an empty array', '[]'],
    ['a number', '42'],
    ['null', 'null'],
  ])('refuses a batch frame that is %s, without an id', (_name, batch) => {
    const frames = [SIGNATURE, typeof batch === 'string' ? Buffer.from(batch) : batch]
    expect(decode(frames)).toEqual({messages: [], faults: [{id: undefined, code: 'PROTOCOL_ERROR', message: expect.any(String) as string}]})
  })
})

describe('refusals of one message', () => {
  it.each([
    ['empty', ''],
    [`${MAX_ID_BYTES + 1} characters`, 'x'.repeat(MAX_ID_BYTES + 1)],
    ['a space', 'a b'],
    ['a control character', 'a\u0001'],
    ['DEL', 'a\u007f'],
    ['non-ASCII', 'café'],
    ['a number', 5],
    ['null', null],
  ])('refuses an id that is %s, with no id to answer', (_name, id) => {
    expect(faultOf([1, id, minimalHeader, {}])).toEqual({id: undefined, code: 'PROTOCOL_ERROR', message: `the id must be 1 to ${MAX_ID_BYTES} printable ASCII characters`})
  })

  it(`accepts ids of 1 to ${MAX_ID_BYTES} characters from "!" to "~"`, () => {
    for (const id of ['!', '~', 'x'.repeat(MAX_ID_BYTES), '0123456789:;<=>?@[\\]^_`{|}']) {
      expect(decode(raw([[5, id, {}, null]])).messages).toEqual([{type: 'ping', id, header: {}, body: null}])
    }
  })

  it('refuses an element that is not [type, id, header, body], answering the id when there is one', () => {
    expect(faultOf([1, 'short', minimalHeader])).toEqual({id: 'short', code: 'PROTOCOL_ERROR', message: 'a message must be [type, id, header, body]'})
    expect(faultOf([1, 'long', minimalHeader, {}, 'extra'])).toMatchObject({id: 'long', message: 'a message must be [type, id, header, body]'})
    expect(faultOf({type: 1, id: 'obj'})).toMatchObject({id: undefined, message: 'a message must be [type, id, header, body]'})
    expect(faultOf(null)).toMatchObject({id: undefined})
  })

  it.each([0, 7, 255, -1, 1.5, '1', null])('refuses type %j', (type) => {
    expect(faultOf([type, 't1', minimalHeader, {}])).toEqual({id: 't1', code: 'PROTOCOL_ERROR', message: 'unknown message type'})
  })

  it.each([null, [], 'header', 3])('refuses a header that is %j', (bad) => {
    for (const type of [1, 2, 3, 4, 5, 6]) {
      expect(faultOf([type, 'h1', bad, {}])).toEqual({id: 'h1', code: 'PROTOCOL_ERROR', message: 'the header is not a JSON object'})
    }
  })

  const ctx = {requestId: 'r', caller: 'c'}
  it.each([
    ['no topic', {method: 'm', ctx}, 'topic must be a non-empty string'],
    ['an empty topic', {topic: '', method: 'm', ctx}, 'topic must be a non-empty string'],
    ['a topic that is a number', {topic: 7, method: 'm', ctx}, 'topic must be a non-empty string'],
    [`a topic of ${MAX_NAME_LENGTH + 1} characters`, {topic: 't'.repeat(MAX_NAME_LENGTH + 1), method: 'm', ctx}, 'topic must be a non-empty string'],
    ['no method', {topic: 't', ctx}, 'method must be a non-empty string'],
    ['a method that is an array', {topic: 't', method: ['m'], ctx}, 'method must be a non-empty string'],
    ['a private method', {topic: 't', method: '_secret', ctx}, 'method "_secret" is private'],
    ['the method __proto__', {topic: 't', method: '__proto__', ctx}, 'method "__proto__" is private'],
    ['an empty server', {topic: 't', method: 'm', server: '', ctx}, 'server must be a non-empty string'],
    ['a server that is null', {topic: 't', method: 'm', server: null, ctx}, 'server must be a non-empty string'],
    ['a version without a minor', {topic: 't', method: 'm', version: '1', ctx}, 'version must be "major.minor"'],
    ['a version of three parts', {topic: 't', method: 'm', version: '1.2.3', ctx}, 'version must be "major.minor"'],
    ['a version that is a number', {topic: 't', method: 'm', version: 1.2, ctx}, 'version must be "major.minor"'],
    ['no ctx', {topic: 't', method: 'm'}, 'ctx must be an object'],
    ['a ctx that is an array', {topic: 't', method: 'm', ctx: []}, 'ctx must be an object'],
    ['no requestId', {topic: 't', method: 'm', ctx: {caller: 'c'}}, 'ctx needs requestId and caller strings'],
    ['a caller that is a number', {topic: 't', method: 'm', ctx: {requestId: 'r', caller: 1}}, 'ctx needs requestId and caller strings'],
    ['a deadline that is a string', {topic: 't', method: 'm', ctx: {...ctx, deadline: '2030'}}, 'ctx.deadline must be a number'],
    ['a deadline that is null (Infinity in JSON)', {topic: 't', method: 'm', ctx: {...ctx, deadline: null}}, 'ctx.deadline must be a number'],
    ['a traceParent that is a number', {topic: 't', method: 'm', ctx: {...ctx, traceParent: 1}}, 'ctx.traceParent must be a string'],
  ])('refuses a call or cast header with %s', (_name, bad, problem) => {
    expect(faultOf([1, 'q1', bad, {}])).toEqual({id: 'q1', code: 'PROTOCOL_ERROR', message: `invalid call header: ${problem}`})
    expect(faultOf([2, 'q2', bad, {}])).toEqual({id: 'q2', code: 'PROTOCOL_ERROR', message: `invalid cast header: ${problem}`})
  })

  it('accepts names of exactly the longest length', () => {
    const long = {topic: 't'.repeat(MAX_NAME_LENGTH), method: 'm'.repeat(MAX_NAME_LENGTH), server: 's'.repeat(MAX_NAME_LENGTH), ctx}
    expect(decode(raw([[1, 'n1', long, {}]])).faults).toEqual([])
  })

  it.each([null, [], 'args', 5])('refuses call and cast bodies that are %j', (body) => {
    expect(faultOf([1, 'b1', minimalHeader, body])).toEqual({id: 'b1', code: 'PROTOCOL_ERROR', message: 'the body of a call must be a JSON object of arguments'})
    expect(faultOf([2, 'b2', minimalHeader, body])).toMatchObject({id: 'b2', message: 'the body of a cast must be a JSON object of arguments'})
  })

  it('refuses an error whose body is not {name, code, message, data, retryable}', () => {
    const good = {name: 'E', code: 'C', message: 'm', data: {}, retryable: true}
    for (const bad of [null, 'boom', {...good, retryable: 'no'}, {...good, data: null}, {...good, data: []}, {name: 'E', code: 'C', message: 'm', data: {}}]) {
      expect(faultOf([4, 'e1', {}, bad])).toEqual({id: 'e1', code: 'PROTOCOL_ERROR', message: 'the body of an error must be {name, code, message, data, retryable}'})
    }
    expect(decode(raw([[4, 'e2', {}, good]])).faults).toEqual([])
  })
})

describe('decode of arbitrary bytes', () => {
  it('never throws, and every result is a message or a fault', () => {
    let seed = 42
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    const bytes = (length: number): Buffer => Buffer.from(Array.from({length}, () => Math.floor(random() * 256)))
    const valid = wire([{type: 'call', id: 'c1', header, body: {a: 1}}])
    for (let round = 0; round < 3000; round++) {
      let frames: Buffer[]
      if (round % 3 === 0) {
        frames = Array.from({length: Math.floor(random() * 4)}, () => bytes(Math.floor(random() * 40)))
      } else {
        // Flip a few bytes of a valid message.
        frames = valid.map((frame) => Buffer.from(frame))
        for (let flips = 0; flips < 1 + Math.floor(random() * 3); flips++) {
          const frame = frames[Math.floor(random() * frames.length)]!
          frame[Math.floor(random() * frame.length)] = Math.floor(random() * 256)
        }
      }
      const {messages, faults} = decode(frames)
      expect(messages.length + faults.length).toBeGreaterThan(0)
    }
  })
})
