// The terminal UI under load (issue 5): the monitor's CPU, paint time and memory while it watches
// 1,000 services over 5 hosts that heartbeat and serve calls.
//
//   npm run build && node --import tsx bench/tui/run.ts [--duration 600 | --quick] [--hosts 5]
//                      [--services 200] [--rate 500] [--columns 200] [--rows 50] [--sample 10]
//                      [--view services|detail|hosts|logs] [--cpu-prof DIR] [--report FILE]
//                      [--heap-snapshots DIR]
//
// Starts --hosts host processes (`steward start t001 … t200 --host tui-N`, bin/run.js over dist/,
// so build first), each running --services services: one topic each, all of the benchmark's
// manager (bench/tui/plugin), with `plugin_isolation: inline` (1,000 worker threads do not fit
// this machine: docs/benchmarks.md), a file state store, heartbeats every report_interval (10 s,
// the default) and a periodic task every 30 s. Every topic runs on every host, so a call to
// `tNNN` goes round-robin over the hosts. This process is the load generator: --rate calls a
// second in all, each to a random topic; the manager answers 5% of them after 1–20 ms, fails
// 0.2% and logs a line for 5%, so the monitor's rates, p99 and errors move and its log tail turns
// over.
//
// Then the monitor (bench/tui/monitor.ts: what `steward monitor` runs in a terminal, from dist/)
// runs for --duration seconds in a pseudo-terminal of --columns × --rows (util-linux `script`)
// with CI unset, so Ink paints live; this process reads the terminal, checks what it shows, and
// presses q at the end. The monitor measures itself: process.cpuUsage() and memory every --sample
// seconds (after a gc() every minute), and every paint through the TUI's paint timing
// (STEWARD_TUI_PAINT_TIMING=1: the span from the dashboard's render to its commit, Ink's layout,
// rendering and write included, and the process's CPU time over it).
//
// Targets (issue 5): CPU over 60 s < 25% of one core (every 60 s window after a 15 s warm-up;
// the first and the worst are reported); paint p95 < 16 ms; and the heap's objects after
// --duration no more than after 1 minute plus the log tail's bound (the client keeps 1,000 lines;
// the heap a copy of the full tail takes is measured at the end), both after a gc(). Objects are
// heap used less V8's code space, which grows as the JIT compiles more (reported beside). PASS or
// FAIL is printed; the exit code is 0 either way (1 when the benchmark cannot run).
//
// --quick is --duration 90. --view shows that view (its number key, pressed once the UI draws)
// rather than the services table. --cpu-prof DIR writes a V8 CPU profile of the monitor into DIR
// when it ends; --report FILE keeps the monitor's own measurements (every paint and sample, JSON);
// --heap-snapshots DIR has it write a heap snapshot after a gc() at 61 s and at the end, to tell
// what grows (each stops the monitor for a moment).
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {availableParallelism, cpus, loadavg, tmpdir} from 'node:os'
import path from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {loadConfig} from '../../src/config/load-config.js'
import {silentLogger} from '../../src/log/logger.js'
import {createContext} from '../../src/rpc/context.js'
import {createRpcClient} from '../../src/rpc/rpc-client-factory.js'
import {openStore} from '../../src/store/index.js'
import type {MonitorReport, Sample} from './monitor.js'

const {values: options} = parseArgs({
  options: {
    duration: {type: 'string', default: '600'},
    quick: {type: 'boolean', default: false},
    hosts: {type: 'string', default: '5'},
    services: {type: 'string', default: '200'},
    rate: {type: 'string', default: '500'},
    columns: {type: 'string', default: '200'},
    rows: {type: 'string', default: '50'},
    sample: {type: 'string', default: '10'},
    'cpu-prof': {type: 'string'},
    report: {type: 'string'},
    'heap-snapshots': {type: 'string'},
    view: {type: 'string', default: 'services'},
  },
})
type IntegerOption = 'duration' | 'hosts' | 'services' | 'rate' | 'columns' | 'rows' | 'sample'
const integer = (name: IntegerOption): number => {
  const value = Number(options[name])
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be an integer ≥ 1 (got ${options[name]})`)
    process.exit(2)
  }
  return value
}
const durationSeconds = options.quick ? 90 : integer('duration')
const hostCount = integer('hosts')
const serviceCount = integer('services')
const rate = integer('rate')
const columns = integer('columns')
const rows = integer('rows')
const sampleSeconds = integer('sample')
/** Seconds of the monitor's start not counted in CPU windows: connecting, first snapshots, JIT. */
const WARMUP_SECONDS = 15
const CPU_WINDOW_SECONDS = 60
const VIEW_KEYS: Record<string, string> = {services: '1', detail: '2', hosts: '3', logs: '4'}
const viewKey = VIEW_KEYS[options.view]
if (viewKey === undefined) {
  console.error(`--view must be one of ${Object.keys(VIEW_KEYS).join(', ')} (got ${options.view})`)
  process.exit(2)
}
const VIEW_TITLES: Record<string, string> = {services: '1 Services', detail: '2 Detail', hosts: '3 Hosts', logs: '4 Logs'}
if (durationSeconds < WARMUP_SECONDS + CPU_WINDOW_SECONDS) {
  console.error(`--duration must be at least ${WARMUP_SECONDS + CPU_WINDOW_SECONDS} s (a warm-up and one ${CPU_WINDOW_SECONDS} s CPU window)`)
  process.exit(2)
}

const root = fileURLToPath(new URL('../..', import.meta.url))
const runJs = path.join(root, 'bin', 'run.js')
if (!existsSync(path.join(root, 'dist', 'tui', 'run-monitor-tui.js'))) {
  console.error('bench/tui: dist/ has no terminal UI. Build first: npm run build')
  process.exit(1)
}
if (spawnSync('script', ['--version']).status !== 0) {
  console.error('bench/tui needs util-linux `script` for a pseudo-terminal')
  process.exit(1)
}

const children = new Set<ChildProcess>()
/** Kill a child and, when it leads a process group (the terminal's), the group. */
function kill(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
  } catch {
    child.kill('SIGKILL')
  }
}
process.on('exit', () => {
  for (const child of children) kill(child)
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) kill(child)
    process.exit(130)
  })
}

function track(child: ChildProcess): ChildProcess {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** A host process, resolved once it says it runs. */
function startHost(name: string, topics: readonly string[], cwd: string): Promise<ChildProcess> {
  const child = track(spawn(process.execPath, [runJs, 'start', ...topics, '--host', name], {cwd, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, CI: ''}, detached: true}))
  let output = ''
  let running = false
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host ${name} did not start within 120 s:\n${output.slice(-2000)}`)), 120_000)
    const collect = (chunk: Buffer): void => {
      // A tail only; the stream goes on being drained while the host logs.
      output = (output + chunk.toString()).slice(-20_000)
      if (running || !output.includes(`host ${name} running`)) return
      running = true
      clearTimeout(timer)
      resolve(child)
    }
    child.stdout!.on('data', collect)
    child.stderr!.on('data', collect)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (!running) reject(new Error(`host ${name} exited (${signal ?? code}):\n${output.slice(-2000)}`))
    })
  })
}

async function stop(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  if ((await Promise.race([exited.then(() => true), delay(graceMs, undefined, {ref: false}).then(() => false)])) === false) kill(child)
  await exited
}

/** CPU seconds (user + system, all threads) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1)
const loads = (): string => loadavg().map((load) => load.toFixed(2)).join(' ')

const dir = await mkdtemp(path.join(tmpdir(), 'steward-tui-bench-'))
const topics = Array.from({length: serviceCount}, (_, index) => `t${String(index + 1).padStart(3, '0')}`)
await writeFile(
  path.join(dir, 'steward.json'),
  JSON.stringify({
    state_dir: 'state',
    plugin_dirs: [path.join(root, 'bench', 'tui')],
    plugin_isolation: 'inline',
    periodic_interval: 10,
    periodic_fuzzy_delay: 10,
    log_level: 'info',
    ...Object.fromEntries(topics.map((topic) => [topic, {manager: 'tui-bench'}])),
  }),
)

console.log(`# TUI under load, ${new Date().toISOString()}`)
console.log(`node ${process.version}, ${availableParallelism()} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, load average ${loads()}`)
console.log(`${hostCount} hosts × ${serviceCount} services (inline), ${rate} calls/s; monitor ${durationSeconds} s in a ${columns}×${rows} terminal, ${options.view} view`)

const names = Array.from({length: hostCount}, (_, index) => `tui-${index + 1}`)
const hostsStarted = performance.now()
const hosts = await Promise.all(names.map((name) => startHost(name, topics, dir)))
console.log(`hosts running in ${((performance.now() - hostsStarted) / 1000).toFixed(1)} s`)

// The load generator.
const config = loadConfig({cwd: dir, env: {}, flags: {host: 'tui-bench-client'}})
const store = await openStore({stateDir: config.options.state_dir})
const {client, close: closeClient} = createRpcClient({config, store, log: silentLogger})
const prepared = topics.map((topic) => client.prepare({topic, timeout: 30}))
const load = {sent: 0, answered: 0, failed: 0, latencies: [] as number[], inFlight: 0, skipped: 0}
const MAX_IN_FLIGHT = 2000
const TICK_MS = 20
let seq = 0
const ticker = setInterval(() => {
  for (let index = 0; index < (rate * TICK_MS) / 1000; index++) {
    if (load.inFlight >= MAX_IN_FLIGHT) {
      load.skipped++
      continue
    }
    const target = prepared[Math.floor(Math.random() * prepared.length)]!
    const started = performance.now()
    load.sent++
    load.inFlight++
    target.call(createContext('tui-bench-client'), 'work', {seq: seq++}).then(
      () => {
        load.answered++
        // A sample of latencies is enough; all of them would grow this process for ten minutes.
        if (load.latencies.length < 200_000) load.latencies.push(performance.now() - started)
      },
      () => load.failed++,
    ).finally(() => load.inFlight--)
  }
}, TICK_MS)

let result: MonitorReport | undefined
let screen = ''
let terminalBytes = 0
const loadSamples: string[] = []
let monitorWall = 0
try {
  // Let the services' statistics fill before the monitor connects.
  await delay(10_000)
  const out = path.join(dir, 'monitor-report.json')
  const monitorScript = path.join(root, 'bench', 'tui', 'monitor.ts')
  const profile = options['cpu-prof'] === undefined ? '' : ` --cpu-prof --cpu-prof-dir ${path.resolve(options['cpu-prof'])}`
  const snapshots = options['heap-snapshots'] === undefined ? '' : ` --heap-snapshots ${path.resolve(options['heap-snapshots'])}`
  const command = `stty cols ${columns} rows ${rows} && exec ${process.execPath}${profile} --expose-gc --import ${import.meta.resolve('tsx')} ${monitorScript} --out ${out} --duration ${durationSeconds} --sample ${sampleSeconds}${snapshots}`
  const env: NodeJS.ProcessEnv = {...process.env, STEWARD_TUI_PAINT_TIMING: '1', TERM: 'xterm-256color'}
  delete env.CI
  delete env.NODE_ENV
  // stdin stays open: `script` passes it to the terminal, and q ends the UI.
  const terminal = track(spawn('script', ['-qfec', command, '/dev/null'], {cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true}))
  terminal.stdout!.on('data', (chunk: Buffer) => {
    terminalBytes += chunk.length
    screen = (screen + chunk.toString()).slice(-200_000)
  })
  let terminalErrors = ''
  terminal.stderr!.on('data', (chunk: Buffer) => (terminalErrors = (terminalErrors + chunk.toString()).slice(-5000)))
  const terminalExited = new Promise<number | null>((resolve) => terminal.once('exit', (code) => resolve(code)))
  const monitorStarted = performance.now()
  // The view asked for, once the UI has drawn its first frame.
  if (options.view !== 'services') {
    for (let waited = 0; !screen.includes('[1 Services]') && waited < 600; waited++) await delay(100)
    terminal.stdin!.write(viewKey)
  }
  const hostCpuAtMonitor = hosts.map((host) => cpuSeconds(host.pid!))
  for (let waited = 0; !existsSync(out); waited++) {
    if (terminal.exitCode !== null) throw new Error(`the monitor ended early (${terminal.exitCode}):\n${screen.slice(-3000)}\n${terminalErrors}`)
    if (waited > (durationSeconds + 120) * 2) throw new Error(`the monitor wrote no report within ${durationSeconds + 60} s`)
    await delay(500)
    if (waited % 120 === 119) {
      loadSamples.push(loads())
      console.log(`  ${Math.round((performance.now() - monitorStarted) / 1000)} s: load average ${loads()}; ${load.answered} calls answered, ${load.failed} failed, ${load.inFlight} in flight`)
    }
  }
  monitorWall = (performance.now() - monitorStarted) / 1000
  const hostCpuShare = hosts.map((host, index) => (100 * (cpuSeconds(host.pid!) - hostCpuAtMonitor[index]!)) / monitorWall)
  result = JSON.parse(await readFile(out, 'utf8')) as MonitorReport
  if (options.report !== undefined) await writeFile(options.report, JSON.stringify(result))
  terminal.stdin!.write('q')
  const code = await Promise.race([terminalExited, delay(20_000, undefined, {ref: false}).then(() => 'timeout' as const)])
  if (code === 'timeout') {
    console.log('the monitor did not end on q within 20 s; killing it')
    kill(terminal)
  } else if (code !== 0) {
    console.log(`the monitor exited with ${code}: ${terminalErrors}`)
  }
  console.log(`hosts' CPU while the monitor ran: ${hostCpuShare.map((share) => `${share.toFixed(1)}%`).join(', ')} of one core`)
} finally {
  clearInterval(ticker)
  await closeClient()
  await store.close()
  const stopping = performance.now()
  await Promise.all(hosts.map((host) => stop(host)))
  console.log(`hosts stopped in ${((performance.now() - stopping) / 1000).toFixed(1)} s`)
  await rm(dir, {recursive: true, force: true})
}

// What the terminal showed: the UI drew the hosts' services, not an error.
// eslint-disable-next-line no-control-regex -- the escape sequences the terminal got
const plain = screen.replaceAll(/\u001B\[[0-9;?]*[A-Za-z]/g, '')
const shows = {
  // The counts may be cut short in a narrow terminal.
  header: plain.includes(`[${VIEW_TITLES[options.view]}]`) && plain.includes(`${hostCount} hosts · ${hostCount * serviceCount} s`),
  // The first host's group; the others are below the fold.
  services: options.view !== 'services' || plain.includes(`▸ ${names[0]}`),
  // Left the alternate screen after it last entered it.
  restored: screen.lastIndexOf('\u001B[?1049l') > screen.lastIndexOf('\u001B[?1049h'),
}

const {paints, samples} = result
const warm = paints.filter((paint) => paint.at >= WARMUP_SECONDS * 1000)
const sortedMs = warm.map((paint) => paint.ms).sort((a, b) => a - b)
const sortedCpuMs = warm.map((paint) => paint.cpuMs).sort((a, b) => a - b)
const runSeconds = (samples.at(-1)!.at - samples[0]!.at) / 1000
const windows: Array<{from: number; percent: number}> = []
for (let from = WARMUP_SECONDS; from + CPU_WINDOW_SECONDS <= runSeconds + 1; from += CPU_WINDOW_SECONDS) {
  // Samples land every --sample s from the start; take the nearest ones to the window's edges.
  const startSample = samples.filter((sample) => !sample.collected).reduce((best, sample) => (Math.abs(sample.at / 1000 - from) < Math.abs(best.at / 1000 - from) ? sample : best))
  const endSample = samples.filter((sample) => !sample.collected).reduce((best, sample) => (Math.abs(sample.at / 1000 - from - CPU_WINDOW_SECONDS) < Math.abs(best.at / 1000 - from - CPU_WINDOW_SECONDS) ? sample : best))
  const seconds = (endSample.at - startSample.at) / 1000
  if (seconds < CPU_WINDOW_SECONDS / 2) continue
  windows.push({from: startSample.at / 1000, percent: (100 * (endSample.cpuMicros - startSample.cpuMicros)) / 1e6 / seconds})
}
const collected = samples.filter((sample) => sample.collected)
const firstMinute = collected[0]!
const last = collected.at(-1)!
/** Heap used by JavaScript objects: compiled code (V8's code space) grows as the JIT warms up. */
const objects = (sample: Sample): number => sample.heapUsed - sample.codeSpaceUsed
const heapGrowth = objects(last) - objects(firstMinute)
const codeGrowth = last.codeSpaceUsed - firstMinute.codeSpaceUsed
// Least squares over the collected samples: the trend in KiB a minute.
const meanAt = collected.reduce((sum, sample) => sum + sample.at, 0) / collected.length
const meanHeap = collected.reduce((sum, sample) => sum + objects(sample), 0) / collected.length
const spread = collected.reduce((sum, sample) => sum + (sample.at - meanAt) ** 2, 0)
const heapSlope = spread === 0 ? 0 : (collected.reduce((sum, sample) => sum + (sample.at - meanAt) * (objects(sample) - meanHeap), 0) / spread) * 60_000
const logBound = result.logTailHeap
const p95 = quantile(sortedMs, 0.95)
const worstCpu = Math.max(...windows.map((window) => window.percent))
const firstCpu = windows[0]?.percent ?? Number.NaN
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL')
const latencies = load.latencies.sort((a, b) => a - b)

console.log('')
console.log(`monitor: ${runSeconds.toFixed(0)} s, ${result.columns}×${result.rows}; ${paints.length} paints (${(paints.length / runSeconds).toFixed(1)}/s), ${(result.bytesWritten / 2 ** 20).toFixed(1)} MiB written to the terminal in ${result.writes} writes`)
console.log(`screen: header ${shows.header ? 'shows' : 'does NOT show'} [${VIEW_TITLES[options.view]}] and ${hostCount} hosts · ${hostCount * serviceCount} services; ${options.view !== 'services' ? '' : shows.services ? `${names[0]}'s services shown; ` : `${names[0]}'s services NOT shown; `}terminal ${shows.restored ? 'restored' : 'NOT restored'} on q (${mib(terminalBytes)} MiB read)`)
console.log(`model at the end: ${last.services} services, ${last.hostsWithTelemetry} hosts with telemetry, ${last.logLines} log lines (${(last.logBytes / 1024).toFixed(0)} KiB as JSON)`)
console.log(`load generator: ${load.sent} calls (${(load.sent / (monitorWall + 10)).toFixed(0)}/s), ${load.failed} failed (the plugin fails 0.2%), p50 ${quantile(latencies, 0.5).toFixed(2)} ms, p99 ${quantile(latencies, 0.99).toFixed(2)} ms`)
console.log(`load average during the run: ${loadSamples.join(' | ')}`)
console.log('')
console.log('| measure | value | target | result |')
console.log('| --- | ---: | ---: | --- |')
console.log(`| CPU over 60 s, first window (${windows[0]?.from.toFixed(0)}–${((windows[0]?.from ?? 0) + CPU_WINDOW_SECONDS).toFixed(0)} s) | ${firstCpu.toFixed(1)}% of one core | < 25% | ${verdict(firstCpu < 25)} |`)
console.log(`| CPU over 60 s, worst of ${windows.length} windows | ${worstCpu.toFixed(1)}% | < 25% | ${verdict(worstCpu < 25)} |`)
console.log(`| paint p50 / p95 / p99 / max (${sortedMs.length} paints after ${WARMUP_SECONDS} s) | ${quantile(sortedMs, 0.5).toFixed(2)} / ${p95.toFixed(2)} / ${quantile(sortedMs, 0.99).toFixed(2)} / ${(sortedMs.at(-1) ?? Number.NaN).toFixed(2)} ms | p95 < 16 ms | ${verdict(p95 < 16)} |`)
console.log(`| paint CPU time p50 / p95 / p99 / max | ${quantile(sortedCpuMs, 0.5).toFixed(2)} / ${quantile(sortedCpuMs, 0.95).toFixed(2)} / ${quantile(sortedCpuMs, 0.99).toFixed(2)} / ${(sortedCpuMs.at(-1) ?? Number.NaN).toFixed(2)} ms | (p95 < 16 ms) | ${verdict(quantile(sortedCpuMs, 0.95) < 16)} |`)
console.log(`| paints that wrote to the terminal before they ended | ${warm.filter((paint) => paint.written).length} of ${warm.length} | | |`)
console.log(`| heap used by objects after gc (heap used but compiled code), ${(firstMinute.at / 1000).toFixed(0)} s → ${(last.at / 1000).toFixed(0)} s | ${mib(objects(firstMinute))} → ${mib(objects(last))} MiB (${heapGrowth >= 0 ? '+' : ''}${mib(heapGrowth)}) | growth ≤ the log tail's ${mib(logBound)} MiB | ${verdict(heapGrowth <= logBound)} |`)
console.log(`| its trend over ${collected.length} samples after gc, one a minute | ${heapSlope >= 0 ? '+' : ''}${(heapSlope / 1024).toFixed(1)} KiB a minute | | |`)
console.log(`| heap used after gc, compiled code included | ${mib(firstMinute.heapUsed)} → ${mib(last.heapUsed)} MiB (code ${codeGrowth >= 0 ? '+' : ''}${mib(codeGrowth)}) | | |`)
console.log(`| RSS, ${(firstMinute.at / 1000).toFixed(0)} s → ${(last.at / 1000).toFixed(0)} s | ${mib(firstMinute.rss)} → ${mib(last.rss)} MiB (${last.rss >= firstMinute.rss ? '+' : ''}${mib(last.rss - firstMinute.rss)}) | | |`)
console.log('')
console.log('CPU by window: ' + windows.map((window) => `${window.from.toFixed(0)} s ${window.percent.toFixed(1)}%`).join(', '))
console.log('objects / code / RSS after gc (MiB): ' + collected.map((sample) => `${(sample.at / 1000).toFixed(0)} s ${mib(objects(sample))}/${mib(sample.codeSpaceUsed)}/${mib(sample.rss)}`).join(', '))
const perMinute = Array.from({length: Math.ceil(runSeconds / 60)}, (_, minute) => {
  const inMinute = paints.filter((paint) => paint.at >= minute * 60_000 && paint.at < (minute + 1) * 60_000).map((paint) => paint.ms).sort((a, b) => a - b)
  return `${minute}–${minute + 1} min ${quantile(inMinute, 0.95).toFixed(1)}`
})
console.log('paint p95 by minute (ms): ' + perMinute.join(', '))
