// The bundled share system end to end (issue 7): shares created per second and the latency from
// `POST /v2/shares` to `available`, through the API, the scheduler, the share service and its driver.
//
//   npm run build && node --import tsx bench/shares/run.ts [--quick] [--count 300] [--warmup 30]
//                      [--runs 3] [--concurrency 1,16] [--layouts one,two] [--drivers memory,localfs]
//                      [--deleted-records 0] [--cpu-prof DIR] [--ready-timeout 60]
//
// Every cell of layout × driver × concurrency × deleted records, in every run, gets a fresh state
// directory (a temp dir, removed at the end with the shares' directories and records) and fresh
// hosts over dist/ (bin/run.js, so build first):
//   one host    `steward start scheduler share api --host A`
//   two hosts   `steward start scheduler api --host A` and `steward start share --host B`
// with two backends, `fast` and `slow`, of the driver (share-memory or share-localfs, roots under
// the temp dir), capacity_gb 1,000,000 each, and steward.json's report_interval 1,
// periodic_fuzzy_delay 0, api_listen_port 0 and api_pipeline request-log, core, shares-api (the
// configuration of the tests and of docs/share.md; the request log costs ~8 µs a request, nothing
// next to a share), log_level info. The API's URL comes from `steward hosts --json`.
//
// Load: --concurrency loops at once, each POSTing `{"size": 1}` and waiting until the share is
// available before the next, --warmup shares and then --count measured. A share is available
// when the share host's log says `share <id> available` (the manager logs it once the record says
// so); the benchmark reads that log from a pipe as it is written, so nothing polls the system
// (availability-watch.ts). Measured: shares/s over the --count shares, the latency from sending
// the POST to reading that line (p50, p99) and to the POST's 202 answer, and each host process's
// CPU time per share (/proc, all its threads), and the time the system took to start (spawn to
// the scheduler holding both backends' reports). Hosts are measured once settled (their spare
// generation workers boot after they serve). Runs are interleaved (run 1 of every cell, then run
// 2…) so machine load falls on all alike; the table shows each figure's median over the runs.
//
// --deleted-records N[,M…] writes N deleted share records into the store before the hosts start:
// what a store holds after N shares came and went (their records stay), to show what its size
// costs. --cpu-prof DIR runs the hosts with node --cpu-prof, a profile per thread into
// DIR/<cell>-run<N>.
// --quick is --count 100 --warmup 20 --runs 1. Benchmarks report: the exit code is 0 whatever
// the figures, 1 when the benchmark cannot run.
import {execFileSync} from 'node:child_process'
import {statSync} from 'node:fs'
import {mkdir, mkdtemp, readFile, rm} from 'node:fs/promises'
import {cpus, loadavg, tmpdir} from 'node:os'
import path from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'
import {parseArgs} from 'node:util'
import {BenchError, root} from '../rpc/children.js'
import {AvailabilityWatch} from './availability-watch.js'
import {createShares} from './create-load.js'
import type {HostProcess} from './host-process.js'
import {DRIVERS, LAYOUTS, startShareSystem, type Driver, type Layout} from './share-system.js'

const {values: options} = parseArgs({
  options: {
    quick: {type: 'boolean', default: false},
    count: {type: 'string', default: '300'},
    warmup: {type: 'string', default: '30'},
    runs: {type: 'string', default: '3'},
    concurrency: {type: 'string', default: '1,16'},
    layouts: {type: 'string', default: 'one,two'},
    drivers: {type: 'string', default: 'memory,localfs'},
    'deleted-records': {type: 'string', default: '0'},
    'cpu-prof': {type: 'string'},
    'ready-timeout': {type: 'string', default: '60'},
  },
})

function fail(message: string): never {
  console.error(message)
  process.exit(2)
}
const integers = (name: 'count' | 'warmup' | 'runs' | 'concurrency' | 'deleted-records' | 'ready-timeout', minimum: number): number[] => {
  const values = options[name].split(',').map(Number)
  if (!values.every((value) => Number.isInteger(value) && value >= minimum)) fail(`--${name} takes integers ≥ ${minimum} (got ${options[name]})`)
  return values
}
const count = options.quick ? 100 : integers('count', 1)[0]!
const warmup = options.quick ? 20 : integers('warmup', 0)[0]!
const runs = options.quick ? 1 : integers('runs', 1)[0]!
const concurrencies = integers('concurrency', 1)
const deletedRecords = integers('deleted-records', 0)
const readyTimeoutMs = integers('ready-timeout', 1)[0]! * 1000
const layouts = options.layouts.split(',').map((name) => LAYOUTS.find((layout) => layout.startsWith(name)) ?? fail(`--layouts takes one, two (got ${name})`))
const drivers = options.drivers.split(',').map((name) => DRIVERS.find((driver) => driver === `share-${name}`) ?? fail(`--drivers takes memory, localfs (got ${name})`))

interface Cell {
  layout: Layout
  driver: Driver
  concurrency: number
  deletedRecords: number
}

/** One cell's figures in one run. */
interface Figures {
  sharesPerSecond: number
  availableP50: number
  availableP99: number
  answeredP50: number
  /** CPU ms per measured share of each host process, host A first. */
  cpuMsPerShare: number[]
  /** From spawning the hosts to the scheduler holding both backends' reports. */
  startSeconds: number
  stateFileBytes: number
}

/**
 * Wait until the hosts have settled: after a host serves, its spare generation workers boot and
 * load the TypeScript loader, CPU that is not the shares'. Settled: under 5% of a core each over
 * half a second (at most 15 s).
 */
async function settled(hosts: readonly HostProcess[]): Promise<void> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    const before = hosts.map((host) => host.cpuMs())
    await delay(500)
    if (hosts.every((host, index) => host.cpuMs() - before[index]! < 25)) return
  }
  console.error('  (the hosts did not settle within 15 s; measuring anyway)')
}

async function measure(cell: Cell, dir: string, run: number): Promise<Figures> {
  const nodeArgs = options['cpu-prof'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', path.resolve(options['cpu-prof'], `${cellName(cell).replaceAll(' ', '-')}-run${run}`)]
  const starting = performance.now()
  const system = await startShareSystem({dir, ...cell, nodeArgs, readyTimeoutMs})
  const startSeconds = (performance.now() - starting) / 1000
  const watch = new AvailabilityWatch(system.shareHost)
  try {
    await settled(system.hosts)
    const load = {apiUrl: system.apiUrl, watch, concurrency: cell.concurrency}
    if (warmup > 0) await createShares({...load, count: warmup})
    const cpuBefore = system.hosts.map((host) => host.cpuMs())
    const {seconds, availableMs, answeredMs} = await createShares({...load, count})
    return {
      sharesPerSecond: count / seconds,
      availableP50: quantile(availableMs, 0.5),
      availableP99: quantile(availableMs, 0.99),
      answeredP50: quantile(answeredMs, 0.5),
      cpuMsPerShare: system.hosts.map((host, index) => (host.cpuMs() - cpuBefore[index]!) / count),
      startSeconds,
      stateFileBytes: statSync(system.stateFile).size,
    }
  } finally {
    watch.close()
    await system.stop()
  }
}

function cellName({layout, driver, concurrency, deletedRecords}: Cell): string {
  return `${layout} ${driver} x${concurrency}${deletedRecords > 0 ? ` +${deletedRecords} deleted` : ''}`
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

/** The commit the tree is at, and whether it has changes (other engineers' edits get built too). */
function headCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
    const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', 'src', 'plugins'], {cwd: root, encoding: 'utf8'}).trim() !== ''
    return changed ? `${commit} with uncommitted changes to src/ or plugins/` : commit
  } catch {
    return 'a tree outside git'
  }
}

const median = (values: readonly number[]): number => quantile(values, 0.5)

function report(cells: ReadonlyArray<{cell: Cell; runs: Figures[]}>): void {
  const line = (values: Array<string | number>): string => `| ${values.join(' | ')} |`
  const commit = headCommit()
  console.log(
    `\n${new Date().toISOString()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, at ${commit}, load average ${loadavg().map((value) => value.toFixed(1)).join(' ')} at the end; ${runs} run(s), ${count} shares measured per row and run after ${warmup}; medians over the runs\n`,
  )
  console.log(line(['layout', 'driver', 'in flight', 'deleted records', 'shares/s', 'runs (shares/s)', 'available p50 ms', 'available p99 ms', '202 p50 ms', 'CPU ms/share (host A / B)', 'start s', 'state file at end']))
  console.log(line(['---', '---', '---:', '---:', '---:', '---', '---:', '---:', '---:', '---', '---:', '---:']))
  for (const {cell, runs: list} of cells) {
    const of = (pick: (figures: Figures) => number): number => median(list.map(pick))
    const cpu = list[0]!.cpuMsPerShare.map((_, index) => of((figures) => figures.cpuMsPerShare[index]!).toFixed(1)).join(' / ')
    console.log(
      line([
        cell.layout,
        `\`${cell.driver}\``,
        cell.concurrency,
        cell.deletedRecords,
        of((figures) => figures.sharesPerSecond).toFixed(1),
        list.map((figures) => figures.sharesPerSecond.toFixed(0)).join(' / '),
        of((figures) => figures.availableP50).toFixed(1),
        of((figures) => figures.availableP99).toFixed(1),
        of((figures) => figures.answeredP50).toFixed(1),
        cpu,
        of((figures) => figures.startSeconds).toFixed(1),
        `${(of((figures) => figures.stateFileBytes) / 1024).toFixed(0)} KiB`,
      ]),
    )
  }
}

async function main(): Promise<void> {
  // Built? The hosts run dist/.
  await readFile(path.join(root, 'dist', 'commands', 'start.js')).catch(() => {
    throw new BenchError('dist/ is missing: npm run build first')
  })
  const cells = deletedRecords.flatMap((records) =>
    layouts.flatMap((layout) => drivers.flatMap((driver) => concurrencies.map((concurrency) => ({cell: {layout, driver, concurrency, deletedRecords: records}, runs: [] as Figures[]})))),
  )
  const work = await mkdtemp(path.join(tmpdir(), 'steward-bench-shares-'))
  try {
    for (let run = 1; run <= runs; run++) {
      console.error(`# run ${run} of ${runs}`)
      for (const [index, {cell, runs: list}] of cells.entries()) {
        const dir = path.join(work, `run${run}-cell${index}`)
        await mkdir(dir)
        const figures = await measure(cell, dir, run)
        list.push(figures)
        console.error(`  ${cellName(cell).padEnd(44)} ${figures.sharesPerSecond.toFixed(1).padStart(6)} shares/s  available p50 ${figures.availableP50.toFixed(1)} ms  p99 ${figures.availableP99.toFixed(1)} ms  (started in ${figures.startSeconds.toFixed(1)} s)`)
        // The shares' directories and records go with the cell's directory.
        await rm(dir, {recursive: true, force: true})
      }
    }
  } finally {
    await rm(work, {recursive: true, force: true})
  }
  report(cells)
}

try {
  await main()
} catch (error) {
  console.error(error instanceof BenchError ? `benchmark failed: ${error.message}` : error)
  process.exit(1)
}
