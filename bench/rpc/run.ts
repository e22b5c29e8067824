// RPC between two processes, side by side in one run: steward `call` and `cast`, raw zeromq.js
// Dealer→Router echo, Moleculer 0.14 with its TCP transporter, and node:http keep-alive with an
// undici Pool; then a cast fanned out to 10 hosts.
//
//   node --import tsx bench/rpc/run.ts [--calls 20000] [--inflight 100] [--runs 3]
//                                      [--only zmq,moleculer,undici,steward,generations,profiler]
//                                      [--throughput-calls 100000] [--warmup 5000]
//                                      [--hosts 10] [--fanouts 1000] [--ready-timeout 30] [--measure-timeout 180]
//                                      [--pin cross|same|off] [--undici-connections N] [--sample-ratio 1]
//                                      [--trace-rate-limit 100]
//
// For every system and run, a fresh server process (bench/rpc/servers/<system>.ts) is started and
// waited for (its ready line); this process is the client. Every request is the same ~100-byte
// JSON payload (common.ts); the server parses it and answers a small JSON echoing its `seq`, which
// the client checks. Measured after a warm-up:
//   latency     --calls sequential calls, each timed with process.hrtime.bigint: p50 and p99 in µs
//   throughput  --throughput-calls calls with --inflight of them in flight at all times: calls/s
//               (for casts: casts sent with --inflight unconfirmed, then a `count` call; casts/s
//               counts the casts the server received, from the first send to the count's answer)
// Placement (--pin, with taskset): `cross` (default) pins this process to CPU 0 and the servers to
// CPU 1, two processes on two cores; `same` puts all on CPU 0; `off` leaves it to the scheduler,
// and then whether the two share a core changes p50 by ~3×, depending on other load.
// Runs are interleaved (run 1 of every system, then run 2, …) so machine load falls on all alike;
// the table shows the median of the runs for each figure. Targets (issue): steward `call`
// throughput ≥ 1.3× Moleculer's and p50 ≤ Moleculer's, in the same run, marked PASS or FAIL.
//
// undici's Pool gets one keep-alive connection per call in flight (--undici-connections, default
// --inflight), which is what an unbounded Pool, undici's default, opens under that load.
//
// Fan-out (--hosts, 0 skips it): --hosts server processes; one cast reaching all of them, each
// host acknowledging it on a separate PUSH→PULL channel to this process; measured is the time
// from the send to the last acknowledgement, over --fanouts sequential fan-outs (fanout.ts).
//
// Profiler (--only generations,profiler): the steward service inline and in a worker generation
// with profiler_enabled in both processes (client and server spans, written to trace files), against
// the same without, in the same run; target (issue 8): ≥ 0.85× the calls/s with it on.
// --sample-ratio and --trace-rate-limit set their profiler_sample_ratio and profiler_trace_rate_limit
// (default: the options' defaults, 1 and 100 new traces a second; 1 and 0 record every call).
//
// The exit code is 0 whether or not the targets are met; it is 1 when a system could not be
// measured at all (a server that does not come up within --ready-timeout, a failing client). A run
// that does not finish within --measure-timeout (a lost answer: the raw zeromq.js client has no
// timeout of its own) is reported and left out of the median; the other runs go on.
// Every server is killed when this process exits, also on Ctrl-C and errors.
import {rm} from 'node:fs/promises'
import {availableParallelism, cpus, loadavg} from 'node:os'
import {parseArgs} from 'node:util'
import {coreOptions} from '../../src/config/options.js'
import {BenchError, pin, startServer} from './children.js'
import {type Answer, type BenchClient, makePayload} from './common.js'
import {measureFanouts, type FanoutResult} from './fanout.js'
import {profilerBench, type System, systems} from './systems.js'

const {values: options} = parseArgs({
  options: {
    calls: {type: 'string', default: '20000'},
    inflight: {type: 'string', default: '100'},
    runs: {type: 'string', default: '3'},
    only: {type: 'string'},
    'throughput-calls': {type: 'string', default: '100000'},
    warmup: {type: 'string', default: '5000'},
    hosts: {type: 'string', default: '10'},
    fanouts: {type: 'string', default: '1000'},
    'ready-timeout': {type: 'string', default: '30'},
    'measure-timeout': {type: 'string', default: '180'},
    pin: {type: 'string', default: 'cross'},
    'undici-connections': {type: 'string'},
    'sample-ratio': {type: 'string', default: String(coreOptions.profiler_sample_ratio.default)},
    'trace-rate-limit': {type: 'string', default: String(coreOptions.profiler_trace_rate_limit.default)},
  },
})
const integer = (name: keyof typeof options, minimum: number): number => {
  const value = Number(options[name])
  if (!Number.isInteger(value) || value < minimum) {
    console.error(`--${name} must be an integer ≥ ${minimum} (got ${String(options[name])})`)
    process.exit(2)
  }
  return value
}
const calls = integer('calls', 1)
const inflight = integer('inflight', 1)
const runs = integer('runs', 1)
const throughputCalls = integer('throughput-calls', 1)
const warmup = integer('warmup', 0)
const hosts = integer('hosts', 0)
const fanouts = integer('fanouts', 1)
const readyTimeoutMs = integer('ready-timeout', 1) * 1000
const measureTimeoutMs = integer('measure-timeout', 1) * 1000
profilerBench.sampleRatio = Number(options['sample-ratio'])
if (!(profilerBench.sampleRatio >= 0 && profilerBench.sampleRatio <= 1)) {
  console.error(`--sample-ratio must be a number from 0 to 1 (got ${options['sample-ratio']})`)
  process.exit(2)
}
profilerBench.traceRateLimit = Number(options['trace-rate-limit'])
if (!(profilerBench.traceRateLimit >= 0)) {
  console.error(`--trace-rate-limit must be a number ≥ 0 (got ${options['trace-rate-limit']})`)
  process.exit(2)
}
const connections = options['undici-connections'] === undefined ? inflight : integer('undici-connections', 1)

const groups = new Set(systems.map((system) => system.group))
const only = options.only === undefined ? [...groups] : options.only.split(',').map((name) => name.trim()).filter((name) => name !== '')
for (const name of only) {
  if (!groups.has(name)) {
    console.error(`--only: unknown system "${name}"; known: ${[...groups].join(', ')}`)
    process.exit(2)
  }
}
const selected = systems.filter((system) => only.includes(system.group))
/** Before pinning, which narrows what this process sees. */
const cpuCount = availableParallelism()

// Where the two processes run. Left to the scheduler, p50 depends on whether client and server
// happen to share a core (a direct hand-off, ~35 µs for Moleculer here) or not (a wake-up on the
// other core, ~115 µs), which other load on the machine decides: the runs then disagree by 3×.
let placement: string
if (options.pin === 'off') {
  placement = 'not pinned (the scheduler places client and servers)'
} else if (options.pin === 'cross' || options.pin === 'same') {
  const cross = options.pin === 'cross'
  if (cross && cpuCount < 2) {
    console.error('--pin cross needs 2 CPUs; use --pin same or --pin off')
    process.exit(2)
  }
  try {
    pin({client: 0, server: cross ? 1 : 0})
  } catch (error) {
    console.error(`${(error as Error).message}; use --pin off`)
    process.exit(2)
  }
  placement = cross ? 'client pinned to CPU 0, servers to CPU 1' : 'client and servers pinned to CPU 0'
} else {
  console.error(`--pin must be cross, same or off (got ${options.pin})`)
  process.exit(2)
}

/** One run of one system. */
interface RunResult {
  p50: number
  p99: number
  rate: number
}

const results = new Map<string, RunResult[]>()
const failures = new Map<string, string>()
/** Runs that did not finish in time, per system; the other runs of the system still count. */
const timedOut = new Map<string, number>()

/** A run that did not finish within --measure-timeout. */
class MeasureTimeout extends BenchError {}

console.log(`# RPC benchmark, ${new Date().toISOString()}`)
console.log(`node ${process.version}, ${cpuCount} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${process.platform}/${process.arch}, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`)
console.log(`${placement}; payload ${Buffer.byteLength(JSON.stringify(makePayload(calls)))} B of JSON; latency: ${calls} sequential calls; throughput: ${throughputCalls} calls, ${inflight} in flight (undici: ${connections} connections); warm-up ${warmup}; median of ${runs} run(s)`)
console.log('')

for (let run = 1; run <= runs; run++) {
  for (const system of selected) {
    if (failures.has(system.id)) continue
    try {
      const result = await measure(system)
      results.set(system.id, [...(results.get(system.id) ?? []), result])
      console.log(`run ${run}/${runs} ${system.id.padEnd(12)} ${system.mode === 'call' ? `p50 ${µs(result.p50)} µs  p99 ${µs(result.p99)} µs  ` : ''}${Math.round(result.rate)} ${system.mode}s/s`)
    } catch (error) {
      const message = error instanceof BenchError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)
      if (error instanceof MeasureTimeout) {
        timedOut.set(system.id, (timedOut.get(system.id) ?? 0) + 1)
        console.error(`run ${run}/${runs} ${system.id}: ${message}; left out`)
      } else {
        failures.set(system.id, message)
        console.error(`run ${run}/${runs} ${system.id}: FAILED: ${message}`)
      }
    }
  }
}
for (const [id, count] of timedOut) if (!results.has(id)) failures.set(id, `every run (${count}) timed out`)

let fanout: FanoutResult[] = []
if (hosts > 0) {
  const kinds = (['steward', 'zmq'] as const).filter((kind) => only.includes(kind))
  fanout = await measureFanouts(kinds, {hosts, fanouts, warmup: Math.min(200, fanouts), readyTimeoutMs})
  for (const result of fanout) if (result.error !== undefined) failures.set(`fanout ${result.kind}`, result.error)
}

printTable()
if (fanout.length > 0) printFanout(fanout)
if (failures.size > 0) {
  console.error(`\n${failures.size} measurement(s) failed: ${[...failures.keys()].join(', ')}`)
  process.exitCode = 1
}

async function measure(system: System): Promise<RunResult> {
  const args = system.serverArgs()
  const server = await startServer(system.id, system.server, args, readyTimeoutMs)
  let client: BenchClient | undefined
  try {
    client = await withTimeout(system.connect(server.ready, {inflight, connections, timeoutMs: readyTimeoutMs}), readyTimeoutMs, `the ${system.id} client did not connect`)
    const measured = system.mode === 'call' ? measureCalls(client) : measureCasts(client)
    return await withTimeout(measured, measureTimeoutMs, `the ${system.id} run did not finish`, MeasureTimeout)
  } finally {
    await client?.close().catch(() => undefined)
    await server.stop()
    for (const arg of args) if (arg.startsWith('ipc://')) await rm(arg.slice('ipc://'.length), {force: true})
  }
}

async function measureCalls(client: BenchClient): Promise<RunResult> {
  let seq = 0
  const call = async (): Promise<void> => {
    const sent = seq++
    check(await client.call(makePayload(sent)), sent)
  }
  // Warm-up: both patterns, so the JIT has seen them.
  await inParallel(call, Math.ceil(warmup / 2), inflight)
  for (let index = 0; index < Math.floor(warmup / 2); index++) await call()

  const latencies = new Float64Array(calls)
  for (let index = 0; index < calls; index++) {
    const sent = seq++
    const payload = makePayload(sent)
    const started = process.hrtime.bigint()
    const answer = await client.call(payload)
    latencies[index] = Number(process.hrtime.bigint() - started)
    check(answer, sent)
  }
  latencies.sort()

  const started = process.hrtime.bigint()
  await inParallel(call, throughputCalls, inflight)
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  return {p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), rate: throughputCalls / seconds}
}

async function measureCasts(client: BenchClient): Promise<RunResult> {
  const cast = client.cast?.bind(client)
  if (cast === undefined) throw new BenchError('this client has no cast')
  let seq = 0
  const count = async (): Promise<number> => {
    const answer = await client.call(makePayload(seq, 'count'))
    if (answer.casts === undefined) throw new BenchError('the server did not answer the count of casts')
    return answer.casts
  }
  await inParallel(() => cast(makePayload(seq++)), warmup, inflight)
  const before = await count()

  const started = process.hrtime.bigint()
  await inParallel(() => cast(makePayload(seq++)), throughputCalls, inflight)
  const received = (await count()) - before
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (received < throughputCalls) console.error(`  ${throughputCalls - received} of ${throughputCalls} casts did not arrive`)
  return {p50: Number.NaN, p99: Number.NaN, rate: received / seconds}
}

/** Run `task` `total` times, keeping `width` of them in flight. */
async function inParallel(task: () => Promise<unknown>, total: number, width: number): Promise<void> {
  let started = 0
  const lane = async (): Promise<void> => {
    while (started < total) {
      started++
      await task()
    }
  }
  await Promise.all(Array.from({length: Math.min(width, total)}, lane))
}

function check(answer: Answer, seq: number): void {
  if (answer.seq !== seq || answer.ok !== true) throw new BenchError(`call ${seq} was answered with ${JSON.stringify(answer)}`)
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string, Failure: typeof BenchError = BenchError): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Failure(`${what} within ${ms / 1000} s`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Nanoseconds as microseconds, one decimal. */
function µs(ns: number): string {
  return Number.isNaN(ns) ? '—' : (ns / 1000).toFixed(1)
}

function thousands(rate: number): string {
  return `${(rate / 1000).toFixed(1)}k`
}

function printTable(): void {
  const summary = new Map(
    [...results].map(([id, list]) => [id, {p50: median(list.map((r) => r.p50)), p99: median(list.map((r) => r.p99)), rate: median(list.map((r) => r.rate)), rates: list.map((r) => r.rate)}]),
  )
  const moleculer = summary.get('moleculer')
  console.log(`\nMedian of ${runs} run(s); p50/p99 of ${calls} sequential calls; calls/s with ${inflight} in flight (${throughputCalls} calls).\n`)
  console.log('| system | transport | p50 µs | p99 µs | calls/s | runs (calls/s) | × Moleculer calls/s |')
  console.log('| --- | --- | ---: | ---: | ---: | --- | ---: |')
  for (const system of selected) {
    const row = summary.get(system.id)
    const label = `${system.label}`
    if (row === undefined) {
      const why = failures.has(system.id) ? 'failed (see above)' : 'not measured'
      console.log(`| ${label} | ${system.transport} | — | — | — | ${why} | — |`)
      continue
    }
    const unit = system.mode === 'cast' ? ' casts/s' : ''
    // A cast's rate against Moleculer's calls is shown in parentheses: not the same operation.
    const ratio = moleculer === undefined ? '—' : system.mode === 'cast' ? `(${(row.rate / moleculer.rate).toFixed(2)}×)` : `${(row.rate / moleculer.rate).toFixed(2)}×`
    const late = timedOut.has(system.id) ? ` (${timedOut.get(system.id)} timed out)` : ''
    console.log(`| ${label} | ${system.transport} | ${µs(row.p50)} | ${µs(row.p99)} | ${Math.round(row.rate)}${unit} | ${row.rates.map(thousands).join(' / ')}${late} | ${ratio} |`)
  }

  printProfilerRatios(summary)
  const steward = summary.get('steward')
  console.log('')
  if (steward === undefined || moleculer === undefined) {
    console.log(`Targets not judged: ${steward === undefined ? 'steward `call`' : 'Moleculer'} was not measured.`)
    return
  }
  const ratio = steward.rate / moleculer.rate
  // Each run measures the two a few seconds apart: their ratio per run shows how much of the
  // ratio of medians is the machine's drift.
  const stewardRuns = results.get('steward') ?? []
  const moleculerRuns = results.get('moleculer') ?? []
  const paired = stewardRuns.slice(0, moleculerRuns.length).map((run, index) => run.rate / moleculerRuns[index]!.rate)
  console.log('Targets (steward `call` over tcp against Moleculer, same run):')
  console.log(
    `- throughput ≥ 1.3× Moleculer's: ${ratio.toFixed(2)}× (${Math.round(steward.rate)} vs ${Math.round(moleculer.rate)} calls/s; run by run ${paired.map((value) => `${value.toFixed(2)}×`).join(' / ')}): ${ratio >= 1.3 ? 'PASS' : 'FAIL'}`,
  )
  console.log(`- p50 ≤ Moleculer's: ${µs(steward.p50)} vs ${µs(moleculer.p50)} µs: ${steward.p50 <= moleculer.p50 ? 'PASS' : 'FAIL'}`)
}

/** The profiler's cost: calls/s with it on against off, for each isolation measured both ways. */
function printProfilerRatios(summary: ReadonlyMap<string, {p50: number; rate: number}>): void {
  const pairs = [['steward-inline', 'steward-inline-traced'], ['steward-worker', 'steward-worker-traced']].filter(([off, on]) => summary.has(off!) && summary.has(on!))
  if (pairs.length === 0) return
  console.log(`\nProfiler on (profiler_sample_ratio ${profilerBench.sampleRatio}, profiler_trace_rate_limit ${profilerBench.traceRateLimit}) vs off, same run (target: ≥ 0.85× the calls/s with it on):`)
  for (const [offId, onId] of pairs) {
    const off = summary.get(offId!)!
    const on = summary.get(onId!)!
    // The two are measured a few seconds apart in each run: the median of the runs' own ratios
    // leaves out more of the machine's drift than the ratio of the medians does.
    const paired = (results.get(onId!) ?? []).map((run, index) => run.rate / (results.get(offId!)?.[index]?.rate ?? Number.NaN)).filter((value) => !Number.isNaN(value))
    const ratio = paired.length > 0 ? median(paired) : on.rate / off.rate
    console.log(
      `- ${offId}: ${ratio.toFixed(2)}× (median of the runs' ratios ${paired.map((value) => `${value.toFixed(2)}×`).join(' / ')}; medians ${Math.round(on.rate)} vs ${Math.round(off.rate)} calls/s); p50 ${µs(on.p50)} vs ${µs(off.p50)} µs: ${ratio >= 0.85 ? 'PASS' : 'FAIL'}`,
    )
  }
}

function printFanout(list: readonly FanoutResult[]): void {
  console.log(`\nFan-out: one cast to ${hosts} host processes, time until all ${hosts} acknowledged; ${fanouts} sequential fan-outs.\n`)
  console.log('| system | p50 µs | p99 µs | fan-outs/s |')
  console.log('| --- | ---: | ---: | ---: |')
  for (const result of list) {
    if (result.error !== undefined) console.log(`| ${result.label} | — | — | failed (see above) |`)
    else console.log(`| ${result.label} | ${µs(result.p50)} | ${µs(result.p99)} | ${Math.round(result.rate)} |`)
  }
}
