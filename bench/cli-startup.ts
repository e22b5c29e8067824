// CLI start-up time (issue 2): `steward --help` and `steward services list --json` against a bare
// `node -e 0`, measured in the same run.
//
//   npm run build && node --import tsx bench/cli-startup.ts [--runs 30] [--warmup 3]
//
// Builds nothing: it runs bin/run.js over dist/, so build first. It prepares a temporary state
// directory with a real store holding a few service records (written through dist/store, as a
// host writes them), then times the commands interleaved round-robin (each round runs every
// command once, in a rotating order), so machine load affects all of them alike. Each child runs
// with its cwd a temporary directory without steward.json and an environment without STEWARD_*
// (and without NODE_OPTIONS), so no configuration of the machine leaks in.
//
// Printed: per command the median, p90 and min wall time of spawnSync (spawn to exit), the ratio
// of its median to the baseline's, and the target of issue 2 (--help ≤ 3×, services list ≤ 4×)
// with PASS or FAIL. Benchmarks report, they do not gate: the exit code is 0 whatever the result
// (it is 1 only when the benchmark itself cannot run: no build, or a command that fails).
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, rm} from 'node:fs/promises'
import {availableParallelism, loadavg, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {parseArgs} from 'node:util'
import type * as Store from '../src/store/index.js'

const {values: options} = parseArgs({
  options: {
    runs: {type: 'string', default: '30'},
    warmup: {type: 'string', default: '3'},
  },
})
const runs = Number(options.runs)
const warmup = Number(options.warmup)
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(warmup) || warmup < 0) {
  console.error(`--runs must be an integer ≥ 1 and --warmup ≥ 0 (got --runs ${options.runs} --warmup ${options.warmup})`)
  process.exit(2)
}

const root = fileURLToPath(new URL('..', import.meta.url))
const runJs = join(root, 'bin', 'run.js')
const storeModule = join(root, 'dist', 'store', 'index.js')
for (const needed of [join(root, 'dist', 'commands', 'services', 'list.js'), storeModule]) {
  if (!existsSync(needed)) {
    console.error(`bench/cli-startup: ${needed} is missing. Build first: npm run build`)
    process.exit(1)
  }
}

/** The services recorded in the benchmark's store: what `services list` reads. */
const RECORDS = [
  {host: 'bench-1', topic: 'sysinfo'},
  {host: 'bench-2', topic: 'sysinfo'},
  {host: 'bench-3', topic: 'sysinfo'},
  {host: 'bench-1', topic: 'share'},
  {host: 'bench-2', topic: 'share'},
] as const

/** The benchmark itself cannot run (as opposed to a missed target). */
class BenchError extends Error {}

interface Subject {
  label: string
  args: string[]
  /** Ratio of medians to the baseline this command must stay within; undefined for the baseline. */
  target?: number
}

interface Stats {
  median: number
  p90: number
  min: number
}

const tmp = await mkdtemp(join(tmpdir(), 'steward-bench-startup-'))
try {
  const stateDir = join(tmp, 'state')
  const cwd = join(tmp, 'cwd')
  await mkdir(cwd)
  await prepareStore(stateDir)

  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('STEWARD_') && name !== 'NODE_OPTIONS') env[name] = value
  }

  const subjects: Subject[] = [
    {label: 'node -e 0', args: ['-e', '0']},
    {label: 'steward --help', args: [runJs, '--help'], target: 3},
    {label: 'steward services list --json', args: [runJs, 'services', 'list', '--json', '--state-dir', stateDir], target: 4},
  ]

  // Check once that every command works and list sees the records, so failures are not timed.
  for (const subject of subjects) run(subject, cwd, env)
  const listed = JSON.parse(run(subjects[2]!, cwd, env)) as unknown[]
  if (listed.length !== RECORDS.length) fail(`services list showed ${listed.length} services, expected ${RECORDS.length}`)

  const times = subjects.map((): number[] => [])
  for (let round = 0; round < warmup + runs; round++) {
    for (let step = 0; step < subjects.length; step++) {
      const index = (round + step) % subjects.length
      const started = process.hrtime.bigint()
      run(subjects[index]!, cwd, env)
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6
      if (round >= warmup) times[index]!.push(elapsed)
    }
  }

  const stats = times.map(summarize)
  const baseline = stats[0]!.median
  const rows = subjects.map((subject, index) => {
    const {median, p90, min} = stats[index]!
    const ratio = median / baseline
    const target = subject.target === undefined ? '(baseline)' : `≤ ${subject.target}×`
    const result = subject.target === undefined ? '' : ratio <= subject.target ? 'PASS' : 'FAIL'
    return [`\`${subject.label}\``, ms(median), ms(p90), ms(min), `${ratio.toFixed(2)}×`, target, result]
  })

  const load = loadavg().map((value) => value.toFixed(2)).join(' ')
  console.log(`CLI start-up: ${runs} runs each after ${warmup} warm-up, interleaved round-robin`)
  console.log(`Date: ${new Date().toISOString()}`)
  console.log(`Machine: ${availableParallelism()} cores (nproc), Node ${process.version}, ${process.platform}/${process.arch}, load average ${load} at the end`)
  console.log('')
  console.log(markdownTable(['Command', 'Median (ms)', 'p90 (ms)', 'Min (ms)', 'Median / baseline', 'Target', 'Result'], rows))
  console.log('')
  const failed = rows.filter((row) => row[6] === 'FAIL').map((row) => row[0])
  console.log(failed.length === 0 ? 'All start-up targets met.' : `Targets missed: ${failed.join(', ')} (reported only; the exit code stays 0).`)
} catch (error) {
  if (!(error instanceof BenchError)) throw error
  console.error(`bench/cli-startup: ${error.message}`)
  process.exitCode = 1
} finally {
  await rm(tmp, {recursive: true, force: true})
}

/** Create the state file and a few service records through the real store, with a heartbeat each. */
async function prepareStore(stateDir: string): Promise<void> {
  const {openStore} = (await import(pathToFileURL(storeModule).href)) as typeof Store
  const store = await openStore({stateDir, create: true})
  try {
    for (const [index, {host, topic}] of RECORDS.entries()) {
      const {record} = await store.findOrCreateService({host, binary: `steward-${topic}`, topic, zone: 'nova', disabled: false})
      await store.reportService(record.id, new Date())
      if (index === RECORDS.length - 1) await store.updateService(record.id, {disabled: true, disabledReason: 'bench'})
    }
  } finally {
    await store.close()
  }
}

/** Run one command to completion; its stdout. Any failure ends the benchmark. */
function run(subject: Subject, cwd: string, env: NodeJS.ProcessEnv): string {
  const result = spawnSync(process.execPath, subject.args, {cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024})
  if (result.error !== undefined) fail(`\`${subject.label}\` could not run: ${result.error.message}`)
  if (result.status !== 0) fail(`\`${subject.label}\` exited with ${result.status ?? result.signal}:\n${result.stderr}${result.stdout}`)
  return result.stdout
}

function fail(message: string): never {
  throw new BenchError(message)
}

/** Median, p90 (nearest rank) and min of samples in milliseconds. */
function summarize(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
  const middle = sorted.length / 2
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  return {median, p90: rank(0.9), min: sorted[0]!}
}

function ms(value: number): string {
  return value.toFixed(1)
}

function markdownTable(headers: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  return [line(headers), line(headers.map((_, column) => (column === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n')
}
