import {curveKeyPair, type EventType} from 'zeromq'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {closeRawDealers, RawDealer, type RawCurve} from '../../test/helpers/raw-dealer.js'
import {createLogger, type LogRecord} from '../log/logger.js'
import {LocalDispatcher} from './local-dispatcher.js'
import {encode, SIGNATURE, type Message, type RequestHeader} from './protocol.js'
import {RpcServer, type RpcServerOptions} from './server.js'

const header: RequestHeader = {topic: 'echo', method: 'echo', ctx: {requestId: 'req-1', caller: 'test'}}
const ping = (id: string): Message => ({type: 'ping', id, header: {}, body: null})

const servers: RpcServer[] = []
afterEach(async () => {
  closeRawDealers()
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

interface Started {
  server: RpcServer
  records: LogRecord[]
  casts: Array<Record<string, unknown>>
}

async function startServer(extra: Partial<RpcServerOptions> = {}): Promise<Started> {
  const records: LogRecord[] = []
  const casts: Array<Record<string, unknown>> = []
  const log = createLogger({level: 'debug', format: 'text', write: () => {}, listeners: [(record) => records.push(record)]})
  const dispatcher = new LocalDispatcher()
  dispatcher.listen({
    topic: 'echo',
    server: 'h',
    version: '1.2',
    dispatch: async (ctx, method, args) => {
      if (method === 'record') casts.push(args)
      return {method, args, caller: ctx.caller}
    },
  })
  const server = new RpcServer({endpoint: 'tcp://127.0.0.1:0', dispatcher, log, host: 'h', maxMessageSize: 65_536, ...extra})
  servers.push(server)
  await server.bind()
  return {server, records, casts}
}

const connect = (endpoint: string, curve?: RawCurve): RawDealer => new RawDealer(endpoint, curve === undefined ? {} : {curve})
const once = (client: RawDealer, type: EventType): Promise<void> => client.once(type)

const refusalLines = (records: LogRecord[], pattern: RegExp): LogRecord[] => records.filter((record) => record.level === 'warn' && pattern.test(record.message))

describe('RpcServer', () => {
  it('answers a call with its result, runs a cast, and answers a ping with the host and pid', async () => {
    const {server, casts} = await startServer()
    const dealer = connect(server.endpoint)
    await dealer.send(encode([{type: 'call', id: 'c1', header, body: {n: 1}}]))
    expect(await dealer.next()).toEqual({type: 'reply', id: 'c1', header: {}, body: {method: 'echo', args: {n: 1}, caller: 'test'}})
    const answers = await dealer.answersBefore([encode([{type: 'cast', id: 'k1', header: {...header, method: 'record'}, body: {tag: 'x'}}])], 'p1')
    expect(answers).toEqual([])
    expect(casts).toEqual([{tag: 'x'}])
    await dealer.send(encode([ping('p2')]))
    expect(await dealer.next()).toEqual({type: 'pong', id: 'p2', header: {host: 'h', pid: process.pid}, body: null})
    expect(server.refused).toEqual({})
  })

  it('answers refusals that carry a readable id, drops the others, counts all, and logs once per peer', async () => {
    const {server, records} = await startServer()
    const dealer = connect(server.endpoint)
    const batch = (elements: unknown[]): Array<Buffer | string> => [SIGNATURE, JSON.stringify(elements)]
    const answers = await dealer.answersBefore([
      ['XXXX', JSON.stringify([[1, 'sig', header, {}]])], // wrong signature: dropped
      [Buffer.from('STW\x02', 'latin1'), JSON.stringify([[1, 'v2', header, {}]])], // answered
      [...batch([[1, 'extra', header, {}]]), '{}'], // three frames: dropped
      [SIGNATURE, '[[1, "json", {'], // not JSON: dropped
      batch([[1, 'private', {...header, method: '_secret'}, {}]]), // answered
      batch([[1, 'no-ctx', {topic: 'echo', method: 'echo'}, {}]]), // answered
      batch([[3, 'a-reply', {}, 'hello']]), // a host takes no replies: answered
      batch([[1, 'mixed-ok', header, {}], [1, 'bad id', header, {}], [9, 'mixed-type', {}, null]]), // one call, one dropped, one answered
    ])
    const refusals = answers.filter((message) => message.type === 'error')
    expect(refusals.map((message) => [message.id, (message.body as {code: string}).code])).toEqual([
      ['v2', 'PROTOCOL_VERSION_UNSUPPORTED'],
      ['private', 'PROTOCOL_ERROR'],
      ['no-ctx', 'PROTOCOL_ERROR'],
      ['a-reply', 'PROTOCOL_ERROR'],
      ['mixed-type', 'PROTOCOL_ERROR'],
    ])
    expect(refusals[0]!.body).toMatchObject({name: 'StewardError', message: 'Refused: protocol version 2 is not spoken here; this host speaks 1.', retryable: false})
    expect(refusals[1]!.body).toMatchObject({message: 'Refused: invalid call header: method "_secret" is private.'})
    expect(refusals[3]!.body).toMatchObject({message: 'Refused: a host does not accept "reply" messages.'})
    // The good call of the mixed batch is answered too (its reply may come after the fence).
    const reply = answers.find((message) => message.id === 'mixed-ok') ?? (await dealer.next())
    expect(reply).toMatchObject({type: 'reply', id: 'mixed-ok'})

    expect(server.refused).toEqual({PROTOCOL_ERROR: 8, PROTOCOL_VERSION_UNSUPPORTED: 1})
    expect(refusalLines(records, /^refused a message/)).toHaveLength(1)

    // Another peer is logged once too.
    const other = connect(server.endpoint)
    expect(await other.answersBefore([['XXXX'], ['XXXX']])).toEqual([])
    expect(server.refused).toEqual({PROTOCOL_ERROR: 10, PROTOCOL_VERSION_UNSUPPORTED: 1})
    const lines = refusalLines(records, /^refused a message/)
    expect(lines).toHaveLength(2)
    expect(lines[0]!.fields.peer).not.toBe(lines[1]!.fields.peer)
  })

  it('drops a frame over maxMessageSize with the connection, and answers the reconnected client', async () => {
    const {server} = await startServer({maxMessageSize: 65_536})
    const dealer = connect(server.endpoint)
    expect(await dealer.answersBefore([], 'warm-up')).toEqual([])
    const disconnected = once(dealer, 'disconnect')
    await dealer.send([SIGNATURE, JSON.stringify([[1, 'huge', header, {pad: 'x'.repeat(70_000)}]])])
    await disconnected
    // The dealer reconnects by itself; the first thing to come back is the pong, not an answer to "huge".
    expect(await dealer.answersBefore([], 'after')).toEqual([])
    await dealer.send(encode([{type: 'call', id: 'small', header, body: {pad: 'x'.repeat(60_000)}}]))
    expect(await dealer.next()).toMatchObject({type: 'reply', id: 'small'})
  })
})

describe('RpcServer with CURVE and allowed clients', () => {
  it('answers an allowed key; refuses, counts and logs unknown keys, clients without CURVE and a wrong server key', async () => {
    const serverKeys = curveKeyPair()
    const known = curveKeyPair()
    const unknown = curveKeyPair()
    const {server, records} = await startServer({curve: serverKeys, allowedClients: [known.publicKey]})
    expect(server.publicKey).toBe(serverKeys.publicKey)

    const allowed = connect(server.endpoint, {serverKey: serverKeys.publicKey, ...known})
    // Answers come in any order: the reply before or after the pong.
    const beforePong = await allowed.answersBefore([encode([{type: 'call', id: 'c1', header, body: {}}])], 'p1')
    expect(beforePong.length <= 1 ? (beforePong[0] ?? (await allowed.next())) : beforePong).toMatchObject({type: 'reply', id: 'c1'})

    // An unknown key: the ZAP handler refuses the handshake; nothing is ever delivered.
    for (let attempt = 1; attempt <= 2; attempt++) {
      const stranger = connect(server.endpoint, {serverKey: serverKeys.publicKey, ...unknown})
      const refused = once(stranger, 'handshake:error:auth')
      await stranger.send(encode([ping('p')]))
      await refused
      await vi.waitFor(() => expect(server.refused.CLIENT_NOT_ALLOWED).toBe(attempt), {timeout: 10_000})
    }
    const zapLines = refusalLines(records, /^refused a CURVE client/)
    expect(zapLines).toHaveLength(1)
    expect(zapLines[0]!.fields).toEqual({clientKey: unknown.publicKey, address: '127.0.0.1'})

    // No CURVE at all: the mechanisms differ.
    const plain = connect(server.endpoint)
    await plain.send(encode([ping('p')]))
    await vi.waitFor(() => expect(server.refused.HANDSHAKE_FAILED).toBeGreaterThanOrEqual(1), {timeout: 10_000})
    const [line] = refusalLines(records, /^refused a connection/)
    expect(line?.message).toMatch(/MECHANISM_MISMATCH/)

    // The wrong server key: the server cannot read the client's hello. The client retries, and
    // each attempt is counted, but the kind is logged once a minute.
    const lost = connect(server.endpoint, {serverKey: curveKeyPair().publicKey, ...known})
    await lost.send(encode([ping('p')]))
    const before = server.refused.HANDSHAKE_FAILED!
    await vi.waitFor(() => expect(server.refused.HANDSHAKE_FAILED).toBeGreaterThanOrEqual(before + 3), {timeout: 10_000})
    expect(refusalLines(records, /^refused a connection/)).toHaveLength(1)

    // The allowed client was never disturbed, and no message was refused.
    expect(await allowed.answersBefore([], 'p2')).toEqual([])
    expect(server.refused.PROTOCOL_ERROR).toBeUndefined()
  })

  it('withdraws its allowed keys when it closes, so a later server answers only its own', async () => {
    const serverKeys = curveKeyPair()
    const first = curveKeyPair()
    const second = curveKeyPair()
    const {server: old} = await startServer({curve: serverKeys, allowedClients: [first.publicKey]})
    const early = connect(old.endpoint, {serverKey: serverKeys.publicKey, ...first})
    expect(await early.answersBefore([])).toEqual([])
    await old.close()

    const {server} = await startServer({curve: serverKeys, allowedClients: [second.publicKey]})
    const withdrawn = connect(server.endpoint, {serverKey: serverKeys.publicKey, ...first})
    const refused = withdrawn.once('handshake:error:auth')
    await withdrawn.send(encode([ping('p')]))
    await refused
    const allowed = connect(server.endpoint, {serverKey: serverKeys.publicKey, ...second})
    expect(await allowed.answersBefore([])).toEqual([])
  })

  it('opens again at once after the last one closed (the ZAP endpoint may still be in use for a moment)', async () => {
    const serverKeys = curveKeyPair()
    const client = curveKeyPair()
    for (let round = 0; round < 20; round++) {
      const {server} = await startServer({curve: serverKeys, allowedClients: [client.publicKey]})
      await server.close()
    }
    const {server} = await startServer({curve: serverKeys, allowedClients: [client.publicKey]})
    expect(await connect(server.endpoint, {serverKey: serverKeys.publicKey, ...client}).answersBefore([])).toEqual([])
  })
})
