// What every system of the RPC benchmark shares: the payload, the answer, the client interface and
// the ready line a server prints.

/** The request of every call: ~100 bytes of JSON, the same for every system. */
export interface Payload {
  seq: number
  op: 'echo' | 'count'
  host: string
  service: string
  args: {size: number; type: string}
  trace: string
}

/** What a server answers: it parses the payload and echoes its `seq`. */
export interface Answer {
  seq: number
  ok: boolean
  /** Casts the server has received, answered to `op: 'count'`. */
  casts?: number
}

export function makePayload(seq: number, op: Payload['op'] = 'echo'): Payload {
  return {seq, op, host: 'n7', service: 'volume', args: {size: 10, type: 'ssd'}, trace: '4bf92f35'}
}

/** The server's side of a request, the same for every system. */
export function answer(request: Payload, casts: number): Answer {
  return request.op === 'count' ? {seq: request.seq, ok: true, casts} : {seq: request.seq, ok: true}
}

/** One client connection of a system, as the benchmark drives it. */
export interface BenchClient {
  /** A request and its answer. */
  call(payload: Payload): Promise<Answer>
  /** A one-way message: resolves once sent. Systems without casts leave it out. */
  cast?(payload: Payload): Promise<void>
  close(): Promise<void>
}

/** A caster to many hosts at once (the fan-out benchmark). */
export interface FanoutClient {
  /** Send one cast that reaches every host; resolves once sent. */
  cast(payload: Payload): Promise<void>
  close(): Promise<void> | void
}

/** What a server prints on stdout, one line, once it accepts requests. */
export const READY_PREFIX = 'READY '

export interface ReadyInfo {
  /** Where the client connects: a ZeroMQ endpoint, an http URL, or a Moleculer TCP address. */
  endpoint: string
  /** Moleculer: the server's node ID. */
  nodeID?: string
}

export function printReady(info: ReadyInfo): void {
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(info)}\n`)
}

/**
 * Servers run as long as their parent: they exit when their stdin closes, which happens when the
 * parent exits for whatever reason (even SIGKILL), so no server outlives a run.
 */
export function exitWithParent(cleanUp?: () => Promise<void> | void): void {
  process.stdin.resume()
  const exit = (): void => {
    void Promise.resolve(cleanUp?.())
      .catch(() => undefined)
      .finally(() => process.exit(0))
  }
  process.stdin.on('end', exit)
  process.stdin.on('close', exit)
  process.on('SIGTERM', exit)
  process.on('SIGINT', exit)
}

/** Read `--name value` from a server's argv. */
export function argument(name: string, fallback?: string): string {
  const index = process.argv.indexOf(`--${name}`)
  const value = index === -1 ? fallback : process.argv[index + 1]
  if (value === undefined) throw new Error(`missing --${name}`)
  return value
}
