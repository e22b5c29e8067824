// The HTTP API (issue 6), side by side in one run with a bare node:http server answering the same
// JSON, and its RPC route against the RPC client called directly.
//
//   npm run build && node --import tsx bench/api/run.ts [--duration 10] [--warmup 3] [--runs 3]
//                      [--connections 100] [--services 20] [--pin cross|off] [--ready-timeout 30]
//                      [--workers 1,2] [--skip-rpc] [--skip-request-log]
//
// Systems, each a fresh server process per run (runs interleaved: run 1 of every system, then run
// 2…, so machine load falls on all alike; the tables show medians):
//   bare          bench/api/bare-server.ts: node:http answering GET /healthz and GET /v1/services
//                 with the JSON steward's API gives (the listing captured from steward first).
//   steward       `steward start bench api` (bin/run.js over dist/, so build first): a real host
//                 with the bench manager (bench/rpc/plugin) as a service and the API on port 0
//                 (found in the state store's hosts record), the default pipeline
//                 (request-log, core), no token, log_level warn, 1 API worker. The state store
//                 holds --services service records, so the listing has something to serialize.
//   steward+log   the same with log_level info: the request-log middleware writes one line per
//                 request (to a file), what a default configuration does.
//   steward ×N    for each other count of --workers, the same as `steward` with api_workers N: the
//                 host forks N API worker processes sharing the port (node:cluster). Their CPU
//                 time is counted with the host's (the whole process tree). With --pin cross they
//                 share the servers' one CPU, so they show what the workers cost, not more capacity.
// HTTP load: autocannon 9 in this process, --connections keep-alive connections, no pipelining,
// --warmup s then --duration s per figure; requests/s is autocannon's mean of its per-second
// counts, latency its p50/p99. Any non-2xx answer or connection error fails the benchmark.
// Beside requests/s, the server process's CPU time per request (user + system, from
// /proc/<pid>/stat, all its threads) over the measured seconds: on a machine that other work
// loads, requests/s of a server saturating one core swings with what else runs on that core,
// while the CPU each request costs barely moves; its ratio to the bare server's is the capacity
// ratio the requests/s target stands for.
//
// RPC (unless --skip-rpc): POST /v1/rpc/bench/echo {"args": <the RPC benchmark's ~100-byte
// payload>} through the API with autocannon, against this process calling the same service with
// the RPC client as `steward call` does (createRpcClient over the host's state store, over ZeroMQ
// ipc), both with 1 request in flight (a loop) and with --connections in flight.
//
// Each server is measured once it has settled (under 2% of a core over half a second): a host
// keeps working for seconds after it starts serving (its spare generation worker boots).
//
// Placement (--pin, with taskset): `cross` (default) pins this process to CPU 0 and the servers to
// CPU 1; `off` leaves it to the scheduler. Target (issue 6): steward's /healthz requests/s ≥ 0.8×
// the bare server's, with one API worker; printed PASS or FAIL, exit code 0 either way (1 when the
// benchmark cannot run).
import {type ChildProcess, spawn} from 'node:child_process'
import {closeSync, openSync, readdirSync, readFileSync} from 'node:fs'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {cpus, loadavg, tmpdir} from 'node:os'
import {createInterface} from 'node:readline'
import path from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'
import {parseArgs} from 'node:util'
import autocannon from 'autocannon'
import {loadConfig, type StewardConfig} from '../../src/config/load-config.js'
import {silentLogger} from '../../src/log/logger.js'
import {createContext} from '../../src/rpc/context.js'
import {createRpcClient} from '../../src/rpc/rpc-client-factory.js'
import {openStore} from '../../src/store/index.js'
import {BenchError, pin, root} from '../rpc/children.js'
import {makePayload, READY_PREFIX, type ReadyInfo} from '../rpc/common.js'

const {values: options} = parseArgs({
  options: {
    duration: {type: 'string', default: '10'},
    warmup: {type: 'string', default: '3'},
    runs: {type: 'string', default: '3'},
    connections: {type: 'string', default: '100'},
    services: {type: 'string', default: '20'},
    pin: {type: 'string', default: 'cross'},
    'ready-timeout': {type: 'string', default: '30'},
    'skip-rpc': {type: 'boolean', default: false},
    'skip-request-log': {type: 'boolean', default: false},
    workers: {type: 'string', default: '1,2'},
  },
})
const integer = (name: 'duration' | 'warmup' | 'runs' | 'connections' | 'services' | 'ready-timeout', minimum: number): number => {
  const value = Number(options[name])
  if (!Number.isInteger(value) || value < minimum) {
    console.error(`--${name} must be an integer ≥ ${minimum} (got ${String(options[name])})`)
    process.exit(2)
  }
  return value
}
const duration = integer('duration', 1)
const warmup = integer('warmup', 0)
const runs = integer('runs', 1)
const connections = integer('connections', 1)
const serviceRecords = integer('services', 1)
const readyTimeoutMs = integer('ready-timeout', 1) * 1000
const workerCounts = options.workers.split(',').map(Number)
if (!workerCounts.every((count) => Number.isInteger(count) && count >= 1) || !workerCounts.includes(1)) {
  console.error('--workers must list API worker counts ≥ 1, including 1 (the target is for one worker)')
  process.exit(2)
}
if (options.pin !== 'cross' && options.pin !== 'off') {
  console.error('--pin must be cross or off')
  process.exit(2)
}

const HOST = 'bench-api'
const bin = path.join(root, 'bin', 'run.js')
const rpcBody = JSON.stringify({args: makePayload(1)})

interface Figure {
  rps: number
  p50: number
  p99: number
  /** The server process's CPU time per request, µs (undefined for the RPC client loop's own figure). */
  cpuUs?: number
}

/** A server process under test: where it answers, and its pid for its CPU time. */
interface Server {
  url: string
  pid: number
  stop(): Promise<void>
}

/** A steward host process serving the API. */
interface StewardHost extends Server {
  config: StewardConfig
}

/** CPU time (user + system, every thread) a process and its live descendants have used, in µs. */
function cpuMicros(pid: number): number {
  const stats = new Map<number, {ppid: number; micros: number}>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // After the command: state, ppid (index 1) … utime, stime (indexes 11 and 12), in clock ticks (USER_HZ 100).
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')
      stats.set(Number(entry), {ppid: Number(fields[1]), micros: (Number(fields[11]) + Number(fields[12])) * 10_000})
    } catch {
      // The process ended meanwhile.
    }
  }
  const inTree = (candidate: number): boolean => {
    for (let current: number | undefined = candidate; current !== undefined && current > 1; current = stats.get(current)?.ppid) if (current === pid) return true
    return false
  }
  let total = 0
  for (const [candidate, {micros}] of stats) if (inTree(candidate)) total += micros
  return total
}

/**
 * Wait until a server process has settled: a host keeps working for seconds after it serves (its
 * spare generation worker boots and warms the TypeScript loader), which would be counted as the
 * requests' CPU time. Settled: under 2% of a core over half a second (at most 20 s).
 */
async function settled(pid: number): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    const before = cpuMicros(pid)
    await delay(500)
    if (cpuMicros(pid) - before < 10_000) return
  }
  console.error(`  (process ${pid} did not settle within 20 s; measuring anyway)`)
}

/** Kill a child with SIGTERM (then SIGKILL) and wait for it. */
async function ended(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

function spawnPinned(args: readonly string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  const command = [process.execPath, ...args]
  // taskset execs node, so the pid is node's.
  if (serverCpu !== undefined) command.unshift('taskset', '-c', String(serverCpu))
  const child = spawn(command[0]!, command.slice(1), options)
  live.add(child)
  child.once('exit', () => live.delete(child))
  return child
}

/** Servers still running, killed when this process exits however it exits. */
const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

async function startBare(servicesFile: string): Promise<Server> {
  const child = spawnPinned(['--import', 'tsx', path.join(root, 'bench', 'api', 'bare-server.ts'), '--host-name', HOST, '--services-file', servicesFile], {cwd: root, stdio: ['pipe', 'pipe', 'inherit']})
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const ready = await new Promise<ReadyInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BenchError('the bare server did not come up')), readyTimeoutMs)
    child.once('exit', () => reject(new BenchError('the bare server exited before it was ready')))
    createInterface({input: child.stdout!}).on('line', (line) => {
      if (!line.startsWith(READY_PREFIX)) return
      clearTimeout(timer)
      resolve(JSON.parse(line.slice(READY_PREFIX.length)) as ReadyInfo)
    })
  })
  await settled(child.pid!)
  return {url: ready.endpoint, pid: child.pid!, stop: () => ended(child, exited)}
}

let serverCpu: number | undefined

async function prepareStateDir(dir: string, logLevel: 'warn' | 'info', workers = 1): Promise<void> {
  await writeFile(
    path.join(dir, 'steward.json'),
    JSON.stringify({state_dir: 'state', plugin_dirs: [path.join(root, 'bench', 'rpc')], api_listen_port: 0, api_workers: workers, log_level: logLevel, periodic_fuzzy_delay: 0}),
  )
  const store = await openStore({stateDir: path.join(dir, 'state'), create: true})
  try {
    for (let index = 1; index < serviceRecords; index++) {
      await store.findOrCreateService({host: `node-${String(index).padStart(2, '0')}`, binary: 'steward-share', topic: 'share', zone: 'nova', disabled: index % 5 === 0})
    }
  } finally {
    await store.close()
  }
}

async function startSteward(dir: string): Promise<StewardHost> {
  const logFile = openSync(path.join(dir, 'host.log'), 'a')
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('STEWARD_') && key !== 'CI'))
  const child = spawnPinned([bin, 'start', 'bench', 'api', '--host', HOST], {cwd: dir, env, stdio: ['ignore', logFile, logFile]})
  closeSync(logFile)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const config = loadConfig({cwd: dir, env: {}})
  const stop = (): Promise<void> => ended(child, exited)
  // The API's URL is in the host's record once it listens (port 0 picks the port).
  const deadline = Date.now() + readyTimeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new BenchError(`the steward host exited before serving (see ${path.join(dir, 'host.log')})`)
    const url = await apiUrl(config).catch(() => undefined)
    if (url !== undefined) {
      await settled(child.pid!)
      return {url, pid: child.pid!, config, stop}
    }
    await delay(100)
  }
  await stop()
  throw new BenchError(`the steward host did not serve its API within ${readyTimeoutMs / 1000} s (see ${path.join(dir, 'host.log')})`)
}

async function apiUrl(config: StewardConfig): Promise<string | undefined> {
  const store = await openStore({stateDir: config.options.state_dir})
  try {
    const host = (await store.listHosts()).find((candidate) => candidate.name === HOST && candidate.stoppedAt === null)
    return host?.apis?.find((api) => api.name === 'api')?.url
  } finally {
    await store.close()
  }
}

/** Load a URL of a server with autocannon: a warm-up, then the measured --duration. */
async function cannon(server: Server, pathname: string, request: {method?: 'GET' | 'POST'; body?: string}, load: number): Promise<Figure> {
  const url = `${server.url}${pathname}`
  const base = {
    url,
    connections: load,
    pipelining: 1,
    method: request.method ?? 'GET',
    ...(request.body === undefined ? {} : {body: request.body, headers: {'content-type': 'application/json'}}),
  }
  if (warmup > 0) await autocannon({...base, duration: warmup})
  const cpuBefore = cpuMicros(server.pid)
  const result = await autocannon({...base, duration})
  const cpu = cpuMicros(server.pid) - cpuBefore
  if (result.non2xx > 0 || result.errors > 0) {
    throw new BenchError(`${request.method ?? 'GET'} ${url}: ${result.non2xx} non-2xx answers (${JSON.stringify(result.statusCodeStats)}), ${result.errors} errors`)
  }
  return {rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuUs: cpu / result.requests.total}
}

/** The RPC client in a loop (`steward call`'s client, kept open), `inflight` loops at once. */
async function rpcLoop(host: StewardHost, inflight: number): Promise<Figure> {
  const {config} = host
  const store = await openStore({stateDir: config.options.state_dir})
  const {client, close} = createRpcClient({config, store, log: silentLogger})
  try {
    const prepared = client.prepare({topic: 'bench'})
    const drive = async (seconds: number, latencies: number[] | undefined): Promise<number> => {
      let calls = 0
      const end = performance.now() + seconds * 1000
      await Promise.all(
        Array.from({length: inflight}, async () => {
          while (performance.now() < end) {
            const started = performance.now()
            await prepared.call(createContext('bench'), 'echo', makePayload(calls) as unknown as Record<string, unknown>)
            latencies?.push(performance.now() - started)
            calls++
          }
        }),
      )
      return calls
    }
    if (warmup > 0) await drive(warmup, undefined)
    const latencies: number[] = []
    const cpuBefore = cpuMicros(host.pid)
    const started = performance.now()
    const calls = await drive(duration, latencies)
    const elapsed = (performance.now() - started) / 1000
    const cpu = cpuMicros(host.pid) - cpuBefore
    latencies.sort((a, b) => a - b)
    const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!
    return {rps: calls / elapsed, p50: at(0.5), p99: at(0.99), cpuUs: cpu / calls}
  } finally {
    await close(0)
    await store.close()
  }
}

type Row = `${'bare' | 'steward' | 'steward+log' | `steward ×${number}`} ${'/healthz' | '/v1/services'}` | `api rpc ×${number}` | `client rpc ×${number}`

async function main(): Promise<void> {
  if (options.pin === 'cross') {
    pin({client: 0, server: 1})
    serverCpu = 1
  }
  const work = await mkdtemp(path.join(tmpdir(), 'steward-bench-api-'))
  const dirs = {steward: path.join(work, 'steward'), log: path.join(work, 'steward-log')}
  const moreWorkers = workerCounts.filter((count) => count > 1).map((count) => ({count, dir: path.join(work, `steward-${count}-workers`)}))
  const figures = new Map<Row, Figure[]>()
  const add = (row: Row, figure: Figure): void => {
    figures.set(row, [...(figures.get(row) ?? []), figure])
    console.error(`  ${row.padEnd(26)} ${figure.rps.toFixed(0).padStart(7)} req/s  p50 ${figure.p50.toFixed(2)} ms  p99 ${figure.p99.toFixed(2)} ms  ${figure.cpuUs?.toFixed(1) ?? '-'} µs CPU/request`)
  }
  try {
    for (const [dir, level, workers] of [[dirs.steward, 'warn', 1], [dirs.log, 'info', 1], ...moreWorkers.map(({count, dir}) => [dir, 'warn', count] as const)] as const) {
      await mkdir(dir, {recursive: true})
      await prepareStateDir(dir, level, workers)
    }
    // The listing steward answers, for the bare server to answer too.
    const first = await startSteward(dirs.steward)
    const servicesFile = path.join(work, 'services.json')
    const listing = await (await fetch(`${first.url}/v1/services`)).text()
    await writeFile(servicesFile, listing)
    await first.stop()
    console.error(`# ${(JSON.parse(listing) as {services: unknown[]}).services.length} service records, ${Buffer.byteLength(listing)} bytes of /v1/services JSON`)

    for (let run = 1; run <= runs; run++) {
      console.error(`# run ${run} of ${runs}`)
      const bare = await startBare(servicesFile)
      try {
        add('bare /healthz', await cannon(bare, '/healthz', {}, connections))
        add('bare /v1/services', await cannon(bare, '/v1/services', {}, connections))
      } finally {
        await bare.stop()
      }
      const steward = await startSteward(dirs.steward)
      try {
        add('steward /healthz', await cannon(steward, '/healthz', {}, connections))
        add('steward /v1/services', await cannon(steward, '/v1/services', {}, connections))
        if (!options['skip-rpc']) {
          for (const load of [1, connections]) {
            add(`api rpc ×${load}`, await cannon(steward, '/v1/rpc/bench/echo', {method: 'POST', body: rpcBody}, load))
            add(`client rpc ×${load}`, await rpcLoop(steward, load))
          }
        }
      } finally {
        await steward.stop()
      }
      for (const {count, dir} of moreWorkers) {
        const several = await startSteward(dir)
        try {
          add(`steward ×${count} /healthz`, await cannon(several, '/healthz', {}, connections))
          add(`steward ×${count} /v1/services`, await cannon(several, '/v1/services', {}, connections))
        } finally {
          await several.stop()
        }
      }
      if (!options['skip-request-log']) {
        const logged = await startSteward(dirs.log)
        try {
          add('steward+log /healthz', await cannon(logged, '/healthz', {}, connections))
          add('steward+log /v1/services', await cannon(logged, '/v1/services', {}, connections))
        } finally {
          await logged.stop()
        }
      }
    }
  } finally {
    await rm(work, {recursive: true, force: true})
  }
  report(figures)
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

function report(figures: Map<Row, Figure[]>): void {
  const of = (row: Row, pick: (figure: Figure) => number | undefined): number | undefined => {
    const values = (figures.get(row) ?? []).map(pick).filter((value): value is number => value !== undefined)
    return values.length === 0 ? undefined : median(values)
  }
  const rps = (row: Row): number => of(row, (figure) => figure.rps)!
  const cpu = (row: Row): number | undefined => of(row, (figure) => figure.cpuUs)
  const fixed = (value: number | undefined, digits: number): string => (value === undefined ? '—' : value.toFixed(digits))
  const line = (cells: Array<string | number>): string => `| ${cells.join(' | ')} |`
  const load = loadavg().map((value) => value.toFixed(1)).join(' ')
  console.log(`\n${new Date().toISOString()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${load} at the end, pin ${options.pin}, ${runs} run(s) × ${duration} s after ${warmup} s warm-up, ${connections} connections\n`)
  console.log(line(['system', 'route', 'requests/s', 'p50 ms', 'p99 ms', 'runs (requests/s)', 'server CPU µs/request', '× bare requests/s', '× bare capacity (CPU)']))
  console.log(line(['---', '---', '---:', '---:', '---:', '---', '---:', '---:', '---:']))
  for (const route of ['/healthz', '/v1/services'] as const) {
    const bare: Row = `bare ${route}`
    const systems = ['bare', 'steward', ...workerCounts.filter((count) => count > 1).map((count) => `steward ×${count}`), 'steward+log'] as const
    for (const system of systems) {
      const row = `${system} ${route}` as Row
      const list = figures.get(row)
      if (list === undefined) continue
      const several = /^steward ×(\d+)$/.exec(system)
      const label =
        several !== null
          ? `steward API, api_workers ${several[1]}, log_level warn`
          : {bare: 'bare node:http', steward: 'steward API, 1 worker, log_level warn', 'steward+log': 'steward API, 1 worker, log_level info (request-log writes)'}[system as 'bare' | 'steward' | 'steward+log']
      const capacity = cpu(row) === undefined || cpu(bare) === undefined ? undefined : cpu(bare)! / cpu(row)!
      console.log(
        line([label, `GET ${route}`, rps(row).toFixed(0), fixed(of(row, (f) => f.p50), 2), fixed(of(row, (f) => f.p99), 2), list.map((f) => `${(f.rps / 1000).toFixed(1)}k`).join(' / '), fixed(cpu(row), 1), `${(rps(row) / rps(bare)).toFixed(2)}×`, `${fixed(capacity, 2)}×`]),
      )
    }
  }
  if (figures.has('api rpc ×1')) {
    console.log(`\n${line(['path', 'in flight', 'calls/s', 'p50 ms', 'p99 ms', 'runs (calls/s)', 'host CPU µs/call', '× client calls/s'])}`)
    console.log(line(['---', '---:', '---:', '---:', '---:', '---', '---:', '---:']))
    for (const inflight of [1, connections]) {
      const client: Row = `client rpc ×${inflight}`
      const rows: Array<[Row, string]> = [
        [client, 'RPC client loop (as `steward call`), ZeroMQ ipc'],
        [`api rpc ×${inflight}`, 'POST /v1/rpc/bench/echo through the API'],
      ]
      for (const [row, label] of rows) {
        const list = figures.get(row)!
        console.log(line([label, inflight, rps(row).toFixed(0), fixed(of(row, (f) => f.p50), 2), fixed(of(row, (f) => f.p99), 2), list.map((f) => `${(f.rps / 1000).toFixed(1)}k`).join(' / '), fixed(cpu(row), 1), `${(rps(row) / rps(client)).toFixed(2)}×`]))
      }
    }
  }
  const ratio = rps('steward /healthz') / rps('bare /healthz')
  const capacity = cpu('bare /healthz')! / cpu('steward /healthz')!
  const verdict = (value: number): string => (value >= 0.8 ? 'PASS' : 'FAIL')
  console.log(`\n| target (1 API worker) | measured | result |\n| --- | --- | --- |`)
  console.log(`| steward /healthz requests/s ≥ 0.8× bare node:http | ${ratio.toFixed(2)}× | ${verdict(ratio)} |`)
  console.log(`| the same as capacity: bare CPU/request ÷ steward CPU/request ≥ 0.8 | ${capacity.toFixed(2)}× | ${verdict(capacity)} |`)
}

try {
  await main()
} catch (error) {
  console.error(error instanceof BenchError ? `benchmark failed: ${error.message}` : error)
  process.exit(1)
}
