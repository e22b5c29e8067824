// What a monitor costs the hosts it watches (issue 5): the RPC throughput of real hosts with
// `steward monitor` attached, against the same hosts with none, in the same run.
//
//   npm run build && node --import tsx bench/monitor-overhead.ts [--hosts 2] [--calls 40000]
//                                       [--inflight 100] [--rounds 4] [--warmup 20000]
//                                       [--idle 20] [--pin cross|off]
//
// Starts --hosts host processes (`steward start bench`, bin/run.js over dist/, so build first),
// each running the benchmark's `bench` service (bench/rpc/plugin) in a worker generation, as
// `steward start` runs any service, with a file state store and heartbeats every second. This
// process is the client: the real RPC client over the store, --calls calls a round with
// --inflight in flight, spread over the hosts by the topic's round-robin. Rounds alternate in
// ABBA order (none, monitor, monitor, none, …) so drift in the machine's load falls on both;
// a "monitor" round first starts `steward monitor` (stdout not a terminal: it subscribes to every
// topic, gets a snapshot of each host every second and prints their log lines) and waits until it
// says it watches every host, and stops it after the round.
//
// Printed per round: calls/s, and the hosts' CPU (utime + stime from /proc, all their threads)
// per 1,000 calls. Then the hosts' CPU while idle for --idle seconds, without and with a monitor
// (what its snapshots cost: the one thing a monitor adds to a host that logs nothing). The summary is the median of each; the target is monitor ≥ 0.95× none for
// calls/s, marked PASS or FAIL. The exit code is 0 whether or not it is met (1 when the benchmark
// cannot run). --pin cross (default) pins this process and the monitor to CPU 0 and the hosts to
// CPU 1 with taskset; off leaves placement to the scheduler.
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {availableParallelism, cpus, loadavg, tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {loadConfig} from '../src/config/load-config.js'
import {silentLogger} from '../src/log/logger.js'
import {createContext} from '../src/rpc/context.js'
import {createRpcClient} from '../src/rpc/rpc-client-factory.js'
import {openStore} from '../src/store/index.js'
import {type Answer, makePayload} from './rpc/common.js'

const {values: options} = parseArgs({
  options: {
    hosts: {type: 'string', default: '2'},
    calls: {type: 'string', default: '40000'},
    inflight: {type: 'string', default: '100'},
    rounds: {type: 'string', default: '4'},
    warmup: {type: 'string', default: '20000'},
    idle: {type: 'string', default: '20'},
    pin: {type: 'string', default: 'cross'},
  },
})
const integer = (name: 'hosts' | 'calls' | 'inflight' | 'rounds' | 'warmup' | 'idle'): number => {
  const value = Number(options[name])
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be an integer ≥ 1 (got ${options[name]})`)
    process.exit(2)
  }
  return value
}
const hostCount = integer('hosts')
const calls = integer('calls')
const inflight = integer('inflight')
const rounds = integer('rounds')
const warmup = integer('warmup')
const idleSeconds = integer('idle')
const pinned = options.pin === 'cross'
if (!pinned && options.pin !== 'off') {
  console.error(`--pin must be cross or off (got ${options.pin})`)
  process.exit(2)
}

const root = fileURLToPath(new URL('..', import.meta.url))
const runJs = path.join(root, 'bin', 'run.js')
if (!existsSync(path.join(root, 'dist', 'commands', 'monitor.js'))) {
  console.error('bench/monitor-overhead: dist/ has no monitor command. Build first: npm run build')
  process.exit(1)
}
const cpuCount = availableParallelism()
if (pinned) {
  if (cpuCount < 2) {
    console.error('--pin cross needs 2 CPUs; use --pin off')
    process.exit(2)
  }
  const result = spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], {encoding: 'utf8'})
  if (result.status !== 0) {
    console.error(`taskset could not pin this process: ${result.error?.message ?? result.stderr.trim()}; use --pin off`)
    process.exit(2)
  }
}

const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL')
    process.exit(130)
  })
}

/** A steward process, resolved once its output (stdout and stderr) matches. */
function steward(args: readonly string[], cpu: number, ready: RegExp, cwd: string): Promise<ChildProcess> {
  const command = pinned ? ['taskset', '-c', String(cpu), process.execPath, runJs, ...args] : [process.execPath, runJs, ...args]
  const child = spawn(command[0]!, command.slice(1), {cwd, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, CI: ''}})
  children.add(child)
  child.once('exit', () => children.delete(child))
  let output = ''
  let matched = false
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`steward ${args.join(' ')} did not print ${ready} within 60 s:\n${output.slice(-2000)}`)), 60_000)
    const collect = (chunk: Buffer): void => {
      // Keep only a tail: a monitor prints log lines for as long as it runs.
      output = (output + chunk.toString()).slice(-20_000)
      // Once matched, the stream goes on being drained.
      if (matched || !ready.test(output)) return
      matched = true
      clearTimeout(timer)
      resolve(child)
    }
    child.stdout!.on('data', collect)
    child.stderr!.on('data', collect)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`steward ${args.join(' ')} exited (${signal ?? code}):\n${output.slice(-2000)}`))
    })
  })
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

/** CPU seconds (user + system, all threads) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const dir = await mkdtemp(path.join(tmpdir(), 'steward-monitor-bench-'))
await writeFile(
  path.join(dir, 'steward.json'),
  JSON.stringify({state_dir: 'state', plugin_dirs: [path.join(root, 'bench', 'rpc')], report_interval: 1, periodic_fuzzy_delay: 0, log_level: 'info'}),
)
const names = Array.from({length: hostCount}, (_, index) => `bench-${index + 1}`)
const hosts = await Promise.all(names.map((name) => steward(['start', 'bench', '--host', name], 1, new RegExp(`host ${name} running`), dir)))

const config = loadConfig({cwd: dir, env: {}, flags: {host: 'bench-client'}})
const store = await openStore({stateDir: config.options.state_dir})
const {client, close} = createRpcClient({config, store, log: silentLogger})
const prepared = client.prepare({topic: 'bench', timeout: 30})

let seq = 0
/** `total` calls with `inflight` in flight at all times; resolves to calls/s. */
async function measure(total: number): Promise<number> {
  let started = 0
  const begin = process.hrtime.bigint()
  const worker = async (): Promise<void> => {
    while (started < total) {
      started++
      const sent = seq++
      const answer = (await prepared.call(createContext('bench-client'), 'echo', makePayload(sent) as unknown as Record<string, unknown>)) as Answer
      if (answer.seq !== sent) throw new Error(`answer ${answer.seq} to call ${sent}`)
    }
  }
  await Promise.all(Array.from({length: inflight}, worker))
  return total / (Number(process.hrtime.bigint() - begin) / 1e9)
}

interface Round {
  monitor: boolean
  rate: number
  cpuMsPer1000: number
}

console.log(`# Monitor overhead, ${new Date().toISOString()}`)
console.log(`node ${process.version}, ${cpuCount} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`)
console.log(`${hostCount} host(s), worker generations; ${calls} calls a round, ${inflight} in flight; ${rounds} round(s) each way, ABBA; ${pinned ? 'client and monitor on CPU 0, hosts on CPU 1' : 'not pinned'}`)
console.log('')

/** The hosts' CPU over `seconds` with no calls, in ms a second per host. */
async function idleCpu(seconds: number): Promise<number> {
  const before = hosts.reduce((sum, host) => sum + cpuSeconds(host.pid!), 0)
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  const after = hosts.reduce((sum, host) => sum + cpuSeconds(host.pid!), 0)
  return ((after - before) * 1000) / seconds / hostCount
}

const results: Round[] = []
const idle = {none: 0, monitor: 0}
try {
  await measure(warmup) // the JIT of every process, connections, the resolver's snapshot
  const order = Array.from({length: rounds * 2}, (_, index) => index % 4 === 1 || index % 4 === 2)
  for (const [index, withMonitor] of order.entries()) {
    const monitor = withMonitor ? await steward(['monitor'], 0, new RegExp(`Watching ${hostCount} host\\(s\\)`), dir) : undefined
    const cpuBefore = hosts.reduce((sum, host) => sum + cpuSeconds(host.pid!), 0)
    const rate = await measure(calls)
    const cpuAfter = hosts.reduce((sum, host) => sum + cpuSeconds(host.pid!), 0)
    if (monitor !== undefined) await stop(monitor)
    const round = {monitor: withMonitor, rate, cpuMsPer1000: ((cpuAfter - cpuBefore) * 1000 * 1000) / calls}
    results.push(round)
    console.log(`round ${String(index + 1).padStart(2)} ${withMonitor ? 'monitor' : 'none   '}  ${Math.round(rate)} calls/s  hosts' CPU ${round.cpuMsPer1000.toFixed(1)} ms per 1,000 calls`)
  }
  // What a monitor costs an idle host: its snapshots, one a second.
  idle.none = await idleCpu(idleSeconds)
  const monitor = await steward(['monitor'], 0, new RegExp(`Watching ${hostCount} host\\(s\\)`), dir)
  idle.monitor = await idleCpu(idleSeconds)
  await stop(monitor)
  console.log(`idle ${idleSeconds} s: hosts' CPU ${idle.none.toFixed(2)} ms a second each without a monitor, ${idle.monitor.toFixed(2)} with one`)
} finally {
  await close()
  await store.close()
  await Promise.all(hosts.map(stop))
  await rm(dir, {recursive: true, force: true})
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
const summary = (monitor: boolean): {rate: number; cpu: number} => {
  const mine = results.filter((round) => round.monitor === monitor)
  return {rate: median(mine.map((round) => round.rate)), cpu: median(mine.map((round) => round.cpuMsPer1000))}
}
const none = summary(false)
const watched = summary(true)
const ratio = watched.rate / none.rate
console.log('')
console.log('| hosts | calls/s (median) | hosts\' CPU per 1,000 calls (median) |')
console.log('| --- | ---: | ---: |')
console.log(`| no monitor | ${Math.round(none.rate)} | ${none.cpu.toFixed(1)} ms |`)
console.log(`| \`steward monitor\` attached | ${Math.round(watched.rate)} | ${watched.cpu.toFixed(1)} ms |`)
console.log('')
console.log(`monitor / none: ${ratio.toFixed(3)}× calls/s (target ≥ 0.95×: ${ratio >= 0.95 ? 'PASS' : 'FAIL'}), ${(watched.cpu / none.cpu).toFixed(3)}× CPU per call`)
