// The monitor of the TUI benchmark (bench/tui/run.ts starts it in a pseudo-terminal): what
// `steward monitor` runs in a terminal (openMonitor's client of every host in the state store,
// drawn by runMonitorTui with the monitor's actions), from dist/ like the hosts, measured from
// inside.
//
//   node --expose-gc --import tsx bench/tui/monitor.ts --out FILE [--duration 600] [--sample 10]
//                                                     [--heap-snapshots DIR]
//
// Needs STEWARD_TUI_PAINT_TIMING=1 (each paint becomes a User Timing measure) and CI unset (Ink
// paints nothing live under CI). Every --sample seconds it records process.cpuUsage(), memory and
// the model's size; every minute and at the end it collects garbage first (gc()), so the heap
// compared is what is live. After --duration seconds it writes everything to --out as JSON and keeps
// drawing until the UI ends (the benchmark presses q).
import {rename, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {type PerformanceMeasure, PerformanceObserver} from 'node:perf_hooks'
import {parseArgs} from 'node:util'
import {getHeapSpaceStatistics, writeHeapSnapshot} from 'node:v8'
import type * as OpenMonitorModule from '../../src/cli/open-monitor.js'
import type * as LoadConfigModule from '../../src/config/load-config.js'
import type {MonitorModel} from '../../src/monitor/telemetry.js'
import type * as ActionsModule from '../../src/tui/actions.js'
import type * as ThrottleModule from '../../src/tui/hooks/use-throttled-model.js'
import type * as RunMonitorTuiModule from '../../src/tui/run-monitor-tui.js'

const {values: options} = parseArgs({
  options: {
    out: {type: 'string'},
    duration: {type: 'string', default: '600'},
    sample: {type: 'string', default: '10'},
    'heap-snapshots': {type: 'string'},
  },
})
if (options.out === undefined) throw new Error('--out is required')
const durationMs = Number(options.duration) * 1000
const sampleMs = Number(options.sample) * 1000
/** When memory is compared with the end: "after 1 minute". */
const FIRST_MINUTE_MS = 60_000

const gc = (globalThis as {gc?: () => void}).gc
if (gc === undefined) throw new Error('run with --expose-gc')
if (process.env.STEWARD_TUI_PAINT_TIMING !== '1') throw new Error('run with STEWARD_TUI_PAINT_TIMING=1')

// What users run: the built modules (types from src, the code from dist).
const dist = new URL('../../dist/', import.meta.url)
const load = <T>(file: string): Promise<T> => import(new URL(file, dist).href) as Promise<T>
const [{loadConfig}, {openMonitor}, {createMonitorActions}, {runMonitorTui}] = await Promise.all([
  load<typeof LoadConfigModule>('config/load-config.js'),
  load<typeof OpenMonitorModule>('cli/open-monitor.js'),
  load<typeof ActionsModule>('tui/actions.js'),
  load<typeof RunMonitorTuiModule>('tui/run-monitor-tui.js'),
])
// Not imported: a module that imports React before runMonitorTui would load React's development
// build (runMonitorTui loads the production one, unless React is loaded already).
const PAINT_MEASURE: typeof ThrottleModule.PAINT_MEASURE = 'steward:tui-paint'

/** One paint: when it ended (ms since the UI started) and how long it took. */
export interface Paint {
  at: number
  ms: number
  /** The process's CPU time over the paint (the measure's detail), ms. */
  cpuMs: number
  /** Whether a write to the terminal happened between the paint's start and end. */
  written: boolean
}

export interface Sample {
  /** Ms since the UI started. */
  at: number
  /** process.cpuUsage(), user + system, µs since the UI started. */
  cpuMicros: number
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
  arrayBuffers: number
  /** Of heapUsed, what compiled code takes (V8's code space): it grows as the JIT warms up. */
  codeSpaceUsed: number
  /** performance.eventLoopUtilization() since the UI started: the share of time the loop was busy. */
  eventLoopBusy: number
  /** Whether gc() ran just before. */
  collected: boolean
  paints: number
  /** Models the client handed to its listeners, and feed events by type, since it opened. */
  models: number
  events: Record<string, number>
  services: number
  hostsWithTelemetry: number
  logLines: number
  /** Bytes of the log tail as JSON: the log bound's share of memory, roughly. */
  logBytes: number
}

export interface MonitorReport {
  columns: number
  rows: number
  paints: Paint[]
  samples: Sample[]
  /**
   * Heap a copy of the log tail takes, once full at the end (gc before and after the copy): what
   * the bound on log lines lets the monitor's memory grow by.
   */
  logTailHeap: number
  /** Writes to the terminal and their bytes. */
  writes: number
  bytesWritten: number
}

const {columns, rows} = process.stdout
if (!process.stdout.isTTY || !columns || !rows) throw new Error('stdout must be a terminal with a size')

// Every write to the terminal, to tell paints whose frame Ink wrote at once from those it held back.
let writes = 0
let bytesWritten = 0
let lastWriteAt = Number.NEGATIVE_INFINITY
const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  writes++
  bytesWritten += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
  lastWriteAt = performance.now()
  return write(chunk, ...rest)
}) as typeof process.stdout.write

const config = loadConfig({cwd: process.cwd()})
const {client, close} = await openMonitor(config)
let model: MonitorModel = client.current()
let models = 0
const stopWatching = client.subscribe((next) => {
  model = next
  models++
})
const events: Record<string, number> = {}
const stopCounting = client.onEvent((event) => void (events[event.type] = (events[event.type] ?? 0) + 1))

const report: MonitorReport = {columns, rows, paints: [], samples: [], logTailHeap: 0, writes: 0, bytesWritten: 0}
let started = performance.now()
// Paints go into arrays allocated now, outside the JavaScript heap, so that what the benchmark
// keeps does not count as the monitor's heap growing (the samples add ~0.5 KiB a sample).
const capacity = Math.ceil(durationMs / 1000) * 25 + 100
const paintAt = new Float64Array(capacity)
const paintMs = new Float64Array(capacity)
const paintCpuMs = new Float64Array(capacity)
const paintWritten = new Uint8Array(capacity)
let paintCount = 0
const paints = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (paintCount === capacity) break
    const end = entry.startTime + entry.duration
    paintAt[paintCount] = end - started
    paintMs[paintCount] = entry.duration
    paintCpuMs[paintCount] = ((entry as PerformanceMeasure).detail as {cpuMs?: number} | null)?.cpuMs ?? Number.NaN
    paintWritten[paintCount] = lastWriteAt >= entry.startTime && lastWriteAt <= end ? 1 : 0
    paintCount++
  }
  // Measures stay in the timeline until cleared; the benchmark's memory must not count them.
  performance.clearMeasures(PAINT_MEASURE)
})
paints.observe({entryTypes: ['measure']})

let cpuStart = process.cpuUsage()
let eluStart = performance.eventLoopUtilization()
function sample(collected: boolean): void {
  if (collected) gc!()
  const cpu = process.cpuUsage(cpuStart)
  const memory = process.memoryUsage()
  report.samples.push({
    at: performance.now() - started,
    cpuMicros: cpu.user + cpu.system,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    codeSpaceUsed: getHeapSpaceStatistics().find((space) => space.space_name === 'code_space')?.space_used_size ?? 0,
    eventLoopBusy: performance.eventLoopUtilization(eluStart).utilization,
    collected,
    paints: paintCount,
    models,
    events: {...events},
    services: model.services.length,
    hostsWithTelemetry: model.hosts.filter((host) => host.telemetry !== null).length,
    logLines: model.logs.length,
    logBytes: Buffer.byteLength(JSON.stringify(model.logs)),
  })
}

/** With --heap-snapshots DIR: a heap snapshot after a gc(), to tell what grows (diagnosis only: it stops the process for a while). */
function heapSnapshot(name: string): void {
  if (options['heap-snapshots'] === undefined) return
  gc!()
  writeHeapSnapshot(path.join(options['heap-snapshots'], `${name}.heapsnapshot`))
}

function logTailHeap(logs: MonitorModel['logs']): number {
  gc!()
  const before = process.memoryUsage().heapUsed
  const copy = structuredClone(logs)
  gc!()
  const size = process.memoryUsage().heapUsed - before
  return copy.length > 0 ? size : 0
}

const ui = runMonitorTui(client, createMonitorActions(config))
started = performance.now()
cpuStart = process.cpuUsage()
eluStart = performance.eventLoopUtilization()
sample(false)
const sampler = setInterval(() => sample(false), sampleMs)
// After a gc() every minute from the first: the heap's trend, not one sample's noise.
const collector = setInterval(() => sample(true), FIRST_MINUTE_MS)
const snapshotAt = setTimeout(() => heapSnapshot('first-minute'), FIRST_MINUTE_MS + 1000)
const end = setTimeout(async () => {
  clearInterval(sampler)
  clearInterval(collector)
  sample(true)
  heapSnapshot('end')
  report.logTailHeap = logTailHeap(model.logs)
  report.writes = writes
  report.bytesWritten = bytesWritten
  report.paints = Array.from({length: paintCount}, (_, index) => ({at: paintAt[index]!, ms: paintMs[index]!, cpuMs: paintCpuMs[index]!, written: paintWritten[index] === 1}))
  // Whole or not at all: the benchmark reads it as soon as it exists.
  await writeFile(`${options.out!}.partial`, JSON.stringify(report))
  await rename(`${options.out!}.partial`, options.out!)
}, durationMs)
try {
  await ui
} finally {
  clearInterval(sampler)
  clearInterval(collector)
  clearTimeout(snapshotAt)
  clearTimeout(end)
  paints.disconnect()
  stopWatching()
  stopCounting()
  await close()
}
