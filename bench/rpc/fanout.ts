// Fan-out to N hosts: N server processes, one cast that reaches all of them, and the time until
// every host has acknowledged it.
//
// Acknowledgement travels on a channel of its own, the same for every system: this process binds
// a PULL socket, every host connects a PUSH to it (`--ack`), and on each cast it receives a host
// pushes [its index, the cast's seq]. A fan-out is done when all N distinct hosts have pushed its
// seq. Fan-outs run one after the other; the time of each is from the cast to the last
// acknowledgement, so it includes the acknowledgement's hop (the same for all systems).
//
// Systems: steward (a `fanout: true` cast to the `bench` topic, whose services are the hosts
// `bench-host-<index>`; see clients/steward.ts), and raw zeromq.js (one DEALER per host, the cast
// encoded once and sent to each: the floor).
import {Pull} from 'zeromq'
import {BenchError, type Server, startServer} from './children.js'
import {connectStewardFanout} from './clients/steward.js'
import {connectZmqFanout} from './clients/zmq.js'
import {type FanoutClient, makePayload} from './common.js'

export interface FanoutOptions {
  hosts: number
  fanouts: number
  warmup: number
  readyTimeoutMs: number
}

export interface FanoutResult {
  kind: 'steward' | 'zmq'
  label: string
  /** Nanoseconds from the cast to the last acknowledgement. */
  p50: number
  p99: number
  /** Sequential fan-outs per second. */
  rate: number
  error?: string
}

interface FanoutSystem {
  label: string
  server: string
  connect(endpoints: readonly string[]): Promise<FanoutClient> | FanoutClient
}

const fanoutSystems: Record<FanoutResult['kind'], FanoutSystem> = {
  steward: {
    label: 'steward `cast`, fanout',
    server: './servers/steward.ts',
    connect: (endpoints) => connectStewardFanout(endpoints),
  },
  zmq: {
    label: 'zeromq.js raw, one DEALER per host',
    server: './servers/zmq.ts',
    connect: (endpoints) => connectZmqFanout(endpoints),
  },
}

export async function measureFanouts(kinds: ReadonlyArray<FanoutResult['kind']>, options: FanoutOptions): Promise<FanoutResult[]> {
  const results: FanoutResult[] = []
  for (const kind of kinds) {
    const system = fanoutSystems[kind]
    const empty = {kind, label: system.label, p50: Number.NaN, p99: Number.NaN, rate: Number.NaN}
    try {
      const result = await measureFanout(system, options)
      console.log(`fanout ${kind}: p50 ${(result.p50 / 1000).toFixed(1)} µs  p99 ${(result.p99 / 1000).toFixed(1)} µs  ${Math.round(result.rate)} fan-outs/s`)
      results.push({...empty, ...result})
    } catch (error) {
      const message = error instanceof BenchError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)
      console.error(`fanout ${kind}: FAILED: ${message}`)
      results.push({...empty, error: message})
    }
  }
  return results
}

async function measureFanout(system: FanoutSystem, options: FanoutOptions): Promise<{p50: number; p99: number; rate: number}> {
  const {hosts} = options
  const pull = new Pull({linger: 0})
  await pull.bind('tcp://127.0.0.1:*')
  const ackEndpoint = pull.lastEndpoint ?? ''

  /** Per seq: the hosts that acknowledged and who waits for all of them. */
  const waiting = new Map<number, {seen: Set<string>; done: () => void}>()
  const receiving = (async () => {
    for await (const [index, seq] of pull) {
      if (index === undefined || seq === undefined) continue
      const entry = waiting.get(Number(seq.toString()))
      if (entry === undefined) continue
      entry.seen.add(index.toString())
      if (entry.seen.size === hosts) entry.done()
    }
  })()
  receiving.catch(() => undefined)

  const servers: Server[] = []
  let client: FanoutClient | undefined
  try {
    // Start the hosts a few at a time: ten `node --import tsx` at once on two cores is slow.
    for (let index = 0; index < hosts; index += 2) {
      const batch = Array.from({length: Math.min(2, hosts - index)}, (_, offset) =>
        startServer(`fanout host ${index + offset}`, system.server, ['--endpoint', 'tcp://127.0.0.1:0', '--server', `bench-host-${index + offset}`, '--ack', ackEndpoint, '--index', String(index + offset)], options.readyTimeoutMs),
      )
      servers.push(...(await Promise.all(batch)))
    }
    client = await system.connect(servers.map((server) => server.ready.endpoint))

    let seq = 0
    const fanout = async (): Promise<number> => {
      const sent = seq++
      const all = new Promise<void>((resolve) => waiting.set(sent, {seen: new Set(), done: resolve}))
      const timer = setTimeout(() => waiting.get(sent)?.done(), options.readyTimeoutMs)
      const started = process.hrtime.bigint()
      await client!.cast(makePayload(sent))
      await all
      const elapsed = Number(process.hrtime.bigint() - started)
      clearTimeout(timer)
      const seen = waiting.get(sent)?.seen.size ?? 0
      waiting.delete(sent)
      if (seen < hosts) throw new BenchError(`fan-out ${sent} was acknowledged by ${seen} of ${hosts} hosts within ${options.readyTimeoutMs / 1000} s`)
      return elapsed
    }
    for (let index = 0; index < options.warmup; index++) await fanout()
    const times = new Float64Array(options.fanouts)
    const started = process.hrtime.bigint()
    for (let index = 0; index < options.fanouts; index++) times[index] = await fanout()
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    times.sort()
    const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN
    return {p50: at(0.5), p99: at(0.99), rate: options.fanouts / seconds}
  } finally {
    await client?.close()
    await Promise.all(servers.map((server) => server.stop()))
    pull.close()
    await receiving.catch(() => undefined)
  }
}
