// The systems compared by bench/rpc/run.ts: how to start each server and connect its client.
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {connectMoleculer} from './clients/moleculer.js'
import {connectSteward, connectStewardTraced} from './clients/steward.js'
import {connectUndici} from './clients/undici.js'
import {connectZmq} from './clients/zmq.js'
import type {BenchClient, ReadyInfo} from './common.js'

export interface ConnectOptions {
  inflight: number
  /** undici: connections of the Pool. */
  connections: number
  timeoutMs: number
}

export interface System {
  /** Row key, unique. */
  id: string
  /** What `--only` selects: `zmq`, `moleculer`, `undici`, `steward`. */
  group: string
  label: string
  transport: string
  /** `call`: request and answer; `cast`: one-way, counted by the server. */
  mode: 'call' | 'cast'
  /** The server script, relative to bench/rpc/, and its arguments (fresh for every start). */
  server: string
  serverArgs: () => string[]
  connect(ready: ReadyInfo, options: ConnectOptions): Promise<BenchClient>
}

let sockets = 0
const ipcEndpoint = (name: string): string => `ipc://${join(tmpdir(), `steward-bench-${name}-${process.pid}-${sockets++}.sock`)}`
const tcpEndpoint = (): string => 'tcp://127.0.0.1:0'
/** Where a traced run's processes write their spans: one directory for the whole benchmark. */
const profilerDir = join(tmpdir(), `steward-bench-traces-${process.pid}`)
/** The traced systems' profiler settings, in both processes; run.ts sets them from --sample-ratio and --trace-rate-limit. */
export const profilerBench = {sampleRatio: 1, traceRateLimit: 0}

/** The steward service's arguments with the profiler on, in both processes as profilerBench says. */
const tracedServerArgs = (isolation: 'inline' | 'worker'): string[] => [
  '--endpoint',
  tcpEndpoint(),
  '--isolation',
  isolation,
  '--profiler',
  profilerDir,
  '--sample-ratio',
  String(profilerBench.sampleRatio),
  '--trace-rate-limit',
  String(profilerBench.traceRateLimit),
]

export const systems: readonly System[] = [
  {
    id: 'steward',
    group: 'steward',
    label: 'steward `call`',
    transport: 'zmq tcp 127.0.0.1',
    mode: 'call',
    server: './servers/steward.ts',
    serverArgs: () => ['--endpoint', tcpEndpoint()],
    connect: (ready) => connectSteward(ready),
  },
  {
    id: 'steward-ipc',
    group: 'steward',
    label: 'steward `call`',
    transport: 'zmq ipc',
    mode: 'call',
    server: './servers/steward.ts',
    serverArgs: () => ['--endpoint', ipcEndpoint('steward')],
    connect: (ready) => connectSteward(ready),
  },
  {
    id: 'steward-cast',
    group: 'steward',
    label: 'steward `cast`',
    transport: 'zmq tcp 127.0.0.1',
    mode: 'cast',
    server: './servers/steward.ts',
    serverArgs: () => ['--endpoint', tcpEndpoint()],
    connect: (ready) => connectSteward(ready),
  },
  {
    id: 'steward-worker',
    group: 'generations',
    label: 'steward `call`, manager in a worker generation',
    transport: 'zmq tcp 127.0.0.1',
    mode: 'call',
    server: './servers/steward-service.ts',
    serverArgs: () => ['--endpoint', tcpEndpoint(), '--isolation', 'worker'],
    connect: (ready) => connectSteward(ready),
  },
  {
    id: 'steward-inline',
    group: 'generations',
    label: 'steward `call`, manager inline',
    transport: 'zmq tcp 127.0.0.1',
    mode: 'call',
    server: './servers/steward-service.ts',
    serverArgs: () => ['--endpoint', tcpEndpoint(), '--isolation', 'inline'],
    connect: (ready) => connectSteward(ready),
  },
  {
    id: 'steward-inline-traced',
    group: 'profiler',
    label: 'steward `call`, manager inline, profiler on',
    transport: 'zmq tcp 127.0.0.1',
    mode: 'call',
    server: './servers/steward-service.ts',
    serverArgs: () => tracedServerArgs('inline'),
    connect: (ready) => connectStewardTraced(ready, profilerDir, profilerBench),
  },
  {
    id: 'steward-worker-traced',
    group: 'profiler',
    label: 'steward `call`, manager in a worker generation, profiler on',
    transport: 'zmq tcp 127.0.0.1',
    mode: 'call',
    server: './servers/steward-service.ts',
    serverArgs: () => tracedServerArgs('worker'),
    connect: (ready) => connectStewardTraced(ready, profilerDir, profilerBench),
  },
  {
    id: 'zmq',
    group: 'zmq',
    label: 'zeromq.js raw Dealer→Router echo',
    transport: 'tcp 127.0.0.1',
    mode: 'call',
    server: './servers/zmq.ts',
    serverArgs: () => ['--endpoint', tcpEndpoint()],
    connect: (ready) => connectZmq(ready.endpoint),
  },
  {
    id: 'zmq-ipc',
    group: 'zmq',
    label: 'zeromq.js raw Dealer→Router echo',
    transport: 'ipc',
    mode: 'call',
    server: './servers/zmq.ts',
    serverArgs: () => ['--endpoint', ipcEndpoint('zmq')],
    connect: (ready) => connectZmq(ready.endpoint),
  },
  {
    id: 'zmq-cast',
    group: 'zmq',
    label: 'zeromq.js raw Dealer→Router, one-way',
    transport: 'tcp 127.0.0.1',
    mode: 'cast',
    server: './servers/zmq.ts',
    serverArgs: () => ['--endpoint', tcpEndpoint()],
    connect: (ready) => connectZmq(ready.endpoint),
  },
  {
    id: 'moleculer',
    group: 'moleculer',
    label: 'Moleculer 0.14 TCP transporter',
    transport: 'tcp 127.0.0.1',
    mode: 'call',
    server: './servers/moleculer.ts',
    serverArgs: () => [],
    connect: (ready, options) => connectMoleculer(ready.endpoint, ready.nodeID ?? 'bench-server', options.timeoutMs),
  },
  {
    id: 'undici',
    group: 'undici',
    label: 'node:http keep-alive + undici Pool',
    transport: 'tcp 127.0.0.1',
    mode: 'call',
    server: './servers/http.ts',
    serverArgs: () => [],
    connect: async (ready, options) => connectUndici(ready.endpoint, options.connections),
  },
]
