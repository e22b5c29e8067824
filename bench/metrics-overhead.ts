// What Prometheus scraping costs the hosts it scrapes (issue 8): the RPC throughput of real hosts
// whose /metrics is scraped every second, against the same hosts not scraped, in the same run.
//
//   npm run build && node --import tsx bench/metrics-overhead.ts [--hosts 2] [--calls 40000]
//                                       [--inflight 100] [--rounds 4] [--warmup 20000]
//                                       [--interval 1] [--idle 20] [--pin cross|off]
//
// Starts --hosts host processes (`steward start bench api`, bin/run.js over dist/, so build first),
// each running the benchmark's `bench` service (bench/rpc/plugin) in a worker generation and the
// HTTP API on a port the system picks, with a file state store and heartbeats every second. This
// process is the client: the real RPC client over the store, --calls calls a round with
// --inflight in flight, spread over the hosts by the topic's round-robin. Rounds alternate in
// ABBA order (none, scraped, scraped, none, …) so drift in the machine's load falls on both; in a
// "scraped" round this process also GETs every host's /metrics every --interval seconds, as
// Prometheus would (a 1 s interval is 15 times Prometheus' default rate), and checks each answer.
//
// Printed per round: calls/s, the hosts' CPU (utime + stime from /proc) per 1,000 calls, and for
// scraped rounds the scrapes and their mean time. Then the hosts' CPU while idle for --idle
// seconds, not scraped and scraped (what a scrape costs a host, without the noise of the calls
// around it). The summary is the median of each; the target is
// scraped ≥ 0.95× none for calls/s, marked PASS or FAIL. The exit code is 0 whether or not it is
// met (1 when the benchmark cannot run). --pin cross (default) pins this process to CPU 0 and the
// hosts to CPU 1 with taskset; off leaves placement to the scheduler.
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
    interval: {type: 'string', default: '1'},
    idle: {type: 'string', default: '20'},
    pin: {type: 'string', default: 'cross'},
  },
})
const integer = (name: 'hosts' | 'calls' | 'inflight' | 'rounds' | 'warmup' | 'interval' | 'idle'): number => {
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
const intervalSeconds = integer('interval')
const idleSeconds = integer('idle')
const pinned = options.pin === 'cross'
if (!pinned && options.pin !== 'off') {
  console.error(`--pin must be cross or off (got ${options.pin})`)
  process.exit(2)
}

const root = fileURLToPath(new URL('..', import.meta.url))
const runJs = path.join(root, 'bin', 'run.js')
if (!existsSync(path.join(root, 'dist', 'metrics', 'host-metrics.js'))) {
  console.error('bench/metrics-overhead: dist/ has no metrics. Build first: npm run build')
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

/** A host process, resolved once it runs. */
function startHost(name: string, cwd: string): Promise<ChildProcess> {
  const args = ['start', 'bench', 'api', '--host', name]
  const command = pinned ? ['taskset', '-c', '1', process.execPath, runJs, ...args] : [process.execPath, runJs, ...args]
  const child = spawn(command[0]!, command.slice(1), {cwd, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, CI: ''}})
  children.add(child)
  child.once('exit', () => children.delete(child))
  let output = ''
  let matched = false
  const ready = new RegExp(`host ${name} running`)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host ${name} did not start within 60 s:\n${output.slice(-2000)}`)), 60_000)
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-20_000)
      if (matched || !ready.test(output)) return
      matched = true
      clearTimeout(timer)
      resolve(child)
    }
    child.stdout!.on('data', collect)
    child.stderr!.on('data', collect)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`host ${name} exited (${signal ?? code}):\n${output.slice(-2000)}`))
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
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const dir = await mkdtemp(path.join(tmpdir(), 'steward-metrics-bench-'))
await writeFile(
  path.join(dir, 'steward.json'),
  JSON.stringify({state_dir: 'state', plugin_dirs: [path.join(root, 'bench', 'rpc')], report_interval: 1, periodic_fuzzy_delay: 0, log_level: 'info', api_listen_port: 0}),
)
const names = Array.from({length: hostCount}, (_, index) => `bench-${index + 1}`)
const hosts = await Promise.all(names.map((name) => startHost(name, dir)))

const config = loadConfig({cwd: dir, env: {}, flags: {host: 'bench-client'}})
const store = await openStore({stateDir: config.options.state_dir})
const {client, close} = createRpcClient({config, store, log: silentLogger})
const prepared = client.prepare({topic: 'bench', timeout: 30})
const urls = (await store.listHosts()).filter((host) => names.includes(host.name)).map((host) => `${host.apis?.find((api) => api.name === 'api')?.url}/metrics`)

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

/** Scrape every host every interval until stopped; the scrapes made and their mean time in ms. */
function scrapeEvery(seconds: number): () => Promise<{scrapes: number; meanMs: number}> {
  let scrapes = 0
  let totalMs = 0
  let failure: Error | undefined
  const scrapeAll = async (): Promise<void> => {
    await Promise.all(
      urls.map(async (url) => {
        const started = performance.now()
        const answer = await fetch(url)
        const text = await answer.text()
        if (answer.status !== 200 || !text.includes('steward_rpc_calls_total')) throw new Error(`GET ${url}: ${answer.status} ${text.slice(0, 200)}`)
        totalMs += performance.now() - started
        scrapes++
      }),
    ).catch((error: unknown) => void (failure ??= error as Error))
  }
  let running = scrapeAll()
  const timer = setInterval(() => void (running = running.then(scrapeAll)), seconds * 1000)
  return async () => {
    clearInterval(timer)
    await running
    if (failure !== undefined) throw failure
    return {scrapes, meanMs: scrapes === 0 ? 0 : totalMs / scrapes}
  }
}

/** The hosts' CPU over `seconds` with no calls, in ms a second per host. */
async function idleCpu(seconds: number): Promise<number> {
  const before = hosts.reduce((sum, host) => sum + cpuSeconds(host.pid!), 0)
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  const after = hosts.reduce((sum, host) => sum + cpuSeconds(host.pid!), 0)
  return ((after - before) * 1000) / seconds / hostCount
}

interface Round {
  scraped: boolean
  rate: number
  cpuMsPer1000: number
}

console.log(`# Metrics overhead, ${new Date().toISOString()}`)
console.log(`node ${process.version}, ${cpuCount} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`)
console.log(`${hostCount} host(s), worker generations; ${calls} calls a round, ${inflight} in flight; ${rounds} round(s) each way, ABBA; scrape every ${intervalSeconds} s; ${pinned ? 'client on CPU 0, hosts on CPU 1' : 'not pinned'}`)
console.log('')

const results: Round[] = []
try {
  await measure(warmup)
  // The first scrape of a host builds its registry: done before measuring, as a running Prometheus would have.
  await scrapeEvery(intervalSeconds)()
  const order = Array.from({length: rounds * 2}, (_, index) => index % 4 === 1 || index % 4 === 2)
  for (const [index, scraped] of order.entries()) {
    const stopScraping = scraped ? scrapeEvery(intervalSeconds) : undefined
    const cpuBefore = hosts.reduce((sum, host) => sum + cpuSeconds(host.pid!), 0)
    const rate = await measure(calls)
    const cpuAfter = hosts.reduce((sum, host) => sum + cpuSeconds(host.pid!), 0)
    const scrapes = await stopScraping?.()
    const round = {scraped, rate, cpuMsPer1000: ((cpuAfter - cpuBefore) * 1000 * 1000) / calls}
    results.push(round)
    const scrapeNote = scrapes === undefined ? '' : `  ${scrapes.scrapes} scrapes, ${scrapes.meanMs.toFixed(1)} ms each`
    console.log(`round ${String(index + 1).padStart(2)} ${scraped ? 'scraped' : 'none   '}  ${Math.round(rate)} calls/s  hosts' CPU ${round.cpuMsPer1000.toFixed(1)} ms per 1,000 calls${scrapeNote}`)
  }
  const idleNone = await idleCpu(idleSeconds)
  const stopScraping = scrapeEvery(intervalSeconds)
  const idleScraped = await idleCpu(idleSeconds)
  const idleScrapes = await stopScraping()
  console.log(
    `idle ${idleSeconds} s: hosts' CPU ${idleNone.toFixed(2)} ms a second each not scraped, ${idleScraped.toFixed(2)} scraped every ${intervalSeconds} s (${idleScrapes.scrapes} scrapes, ${idleScrapes.meanMs.toFixed(1)} ms each as the scraper saw them)`,
  )
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
const summary = (scraped: boolean): {rate: number; cpu: number} => {
  const mine = results.filter((round) => round.scraped === scraped)
  return {rate: median(mine.map((round) => round.rate)), cpu: median(mine.map((round) => round.cpuMsPer1000))}
}
const none = summary(false)
const scraped = summary(true)
const ratio = scraped.rate / none.rate
console.log('')
console.log('| hosts | calls/s (median) | hosts\' CPU per 1,000 calls (median) |')
console.log('| --- | ---: | ---: |')
console.log(`| not scraped | ${Math.round(none.rate)} | ${none.cpu.toFixed(1)} ms |`)
console.log(`| /metrics scraped every ${intervalSeconds} s | ${Math.round(scraped.rate)} | ${scraped.cpu.toFixed(1)} ms |`)
console.log('')
console.log(`scraped / none: ${ratio.toFixed(3)}× calls/s (target ≥ 0.95×: ${ratio >= 0.95 ? 'PASS' : 'FAIL'}), ${(scraped.cpu / none.cpu).toFixed(3)}× CPU per call`)
