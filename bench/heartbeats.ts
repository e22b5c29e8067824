// Heartbeats into one store file: P processes, each with S services, each service reporting
// (StateStore.reportService) every interval, all into one steward.json.
//
//   node --import tsx bench/heartbeats.ts [--processes 10] [--services 20] [--interval 1000]
//                                         [--duration 60] [--state-dir DIR]
//
// Each process opens the store as a host does, creates its services' records, then at every tick
// reports all its services at once (the services of a host start together, so their timers fire
// together). Processes start their ticks at a random phase, as hosts started at different times
// would. Printed: write latency (call to acknowledgement, including lock waits), lost updates
// (acknowledged reports missing from the final reportCount: must be 0), and CPU per process.
import {spawn} from 'node:child_process'
import {mkdtemp, rm, stat} from 'node:fs/promises'
import {cpus, tmpdir} from 'node:os'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {openStore} from '../src/store/index.js'

const {values: options} = parseArgs({
  options: {
    processes: {type: 'string', default: '10'},
    services: {type: 'string', default: '20'},
    interval: {type: 'string', default: '1000'},
    duration: {type: 'string', default: '60'},
    'state-dir': {type: 'string'},
    child: {type: 'string'},
  },
})
const processes = Number(options.processes)
const services = Number(options.services)
const intervalMs = Number(options.interval)
const durationMs = Number(options.duration) * 1000

/** What a child reports when it is done. */
interface ChildReport {
  latencies: number[]
  acked: Record<string, number>
  errors: string[]
  cpuMs: number
  wallMs: number
  commits: number
  mutations: number
}

if (options.child === undefined) await runParent()
else await runChild(Number(options.child), options['state-dir'] ?? '')

async function runParent(): Promise<void> {
  const ownDir = options['state-dir'] === undefined
  const stateDir = options['state-dir'] ?? (await mkdtemp(join(tmpdir(), 'steward-bench-heartbeats-')))
  await (await openStore({stateDir, create: true})).close()

  const script = fileURLToPath(import.meta.url)
  const children = Array.from({length: processes}, (_, index) =>
    spawn(
      process.execPath,
      ['--import', 'tsx', script, '--child', String(index), '--state-dir', stateDir, '--services', String(services), '--interval', String(intervalMs), '--duration', String(durationMs / 1000)],
      {stdio: ['pipe', 'pipe', 'inherit']},
    ),
  )
  const lines = children.map((child) => createInterface({input: child.stdout})[Symbol.asyncIterator]())
  const nextLine = async (index: number): Promise<string> => {
    const next = await lines[index]!.next()
    if (next.done === true) throw new Error(`child ${index} ended early`)
    return next.value
  }
  // Start together, once every child has opened the store and created its records.
  await Promise.all(children.map((_, index) => nextLine(index)))
  for (const child of children) child.stdin.end('go\n')
  const reports = await Promise.all(children.map(async (_, index) => JSON.parse(await nextLine(index)) as ChildReport))

  const store = await openStore({stateDir})
  const records = await store.listServices()
  await store.close()
  const acked = new Map<number, number>()
  for (const report of reports) {
    for (const [id, count] of Object.entries(report.acked)) acked.set(Number(id), (acked.get(Number(id)) ?? 0) + count)
  }
  let lost = 0
  let unexpected = 0
  for (const record of records) {
    const expected = acked.get(record.id) ?? 0
    lost += Math.max(0, expected - record.reportCount)
    unexpected += Math.max(0, record.reportCount - expected)
  }
  const latencies = reports.flatMap((report) => report.latencies).sort((a, b) => a - b)
  const quantile = (q: number): string => (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN).toFixed(1)
  const cpuShares = reports.map((report) => (100 * report.cpuMs) / report.wallMs)
  const commits = reports.reduce((sum, report) => sum + report.commits, 0)
  const mutations = reports.reduce((sum, report) => sum + report.mutations, 0)
  const fileSize = (await stat(join(stateDir, 'steward.json'))).size

  const rows: Array<[string, string]> = [
    ['processes × services', `${processes} × ${services} (${records.length} records, ${(fileSize / 1024).toFixed(0)} KiB file)`],
    ['report interval, duration', `${intervalMs} ms, ${durationMs / 1000} s`],
    ['reports acknowledged', String(latencies.length)],
    ['errors', String(reports.reduce((sum, report) => sum + report.errors.length, 0))],
    ['write latency p50 / p99 / max', `${quantile(0.5)} / ${quantile(0.99)} / ${(latencies.at(-1) ?? Number.NaN).toFixed(1)} ms`],
    ['lost updates', `${lost}${unexpected > 0 ? ` (and ${unexpected} unacknowledged counted)` : ''}`],
    ['commits (lock + read + write) / mutations', `${commits} / ${mutations}`],
    ['CPU per process, mean / max', `${mean(cpuShares).toFixed(1)} % / ${Math.max(...cpuShares).toFixed(1)} % of one core`],
  ]
  console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}\n`)
  console.log('| measure | value |\n|---|---|')
  for (const [measure, value] of rows) console.log(`| ${measure} | ${value} |`)
  for (const report of reports) for (const error of report.errors.slice(0, 3)) console.error(`error: ${error}`)

  if (ownDir) await rm(stateDir, {recursive: true, force: true})
  if (lost > 0 || unexpected > 0) process.exitCode = 1
}

async function runChild(index: number, stateDir: string): Promise<void> {
  const store = await openStore({stateDir})
  const ids: number[] = []
  for (let service = 0; service < services; service++) {
    const {record} = await store.findOrCreateService({host: `bench-host-${index}`, binary: `steward-bench-${service}`, topic: `bench-${service}`, zone: 'nova', disabled: false})
    ids.push(record.id)
  }
  process.stdout.write('ready\n')
  for await (const line of createInterface({input: process.stdin})) if (line === 'go') break

  const report: ChildReport = {latencies: [], acked: {}, errors: [], cpuMs: 0, wallMs: 0, commits: 0, mutations: 0}
  const cpuStart = process.cpuUsage()
  const wallStart = performance.now()
  const statsStart = {...store.stats}
  const inFlight = new Set<Promise<void>>()
  const beat = (): void => {
    for (const id of ids) {
      const started = performance.now()
      const done = store.reportService(id, new Date()).then(
        (record) => {
          if (record === undefined) throw new Error(`record ${id} vanished`)
          report.latencies.push(performance.now() - started)
          report.acked[id] = (report.acked[id] ?? 0) + 1
        },
        (error: unknown) => void report.errors.push(error instanceof Error ? error.message : String(error)),
      )
      inFlight.add(done)
      void done.finally(() => inFlight.delete(done))
    }
  }
  await new Promise<void>((resolve) => {
    setTimeout(() => {
      beat()
      const ticker = setInterval(beat, intervalMs)
      setTimeout(() => {
        clearInterval(ticker)
        resolve()
      }, durationMs - (performance.now() - wallStart))
    }, Math.random() * intervalMs)
  })
  await Promise.all(inFlight)
  const cpu = process.cpuUsage(cpuStart)
  report.cpuMs = (cpu.user + cpu.system) / 1000
  report.wallMs = performance.now() - wallStart
  report.commits = (store.stats?.commits ?? 0) - (statsStart.commits ?? 0)
  report.mutations = (store.stats?.mutations ?? 0) - (statsStart.mutations ?? 0)
  await store.close()
  process.stdout.write(`${JSON.stringify(report)}\n`)
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length)
}
