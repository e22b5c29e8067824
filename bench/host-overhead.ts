// The harness of the benchmarks of what an observer costs the hosts it observes
// (bench/monitor-overhead.ts, bench/metrics-overhead.ts; their headers say what each measures).
// This module does what they share: the options, pinning with taskset, the host processes and
// their cleanup, the client's calls, the ABBA rounds, the idle measurement and the summary. A
// benchmark brings its observer: what attaches to the hosts for a round and detaches after it.
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {availableParallelism, cpus, loadavg, tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {type ParseArgsConfig, parseArgs} from 'node:util'
import {loadConfig} from '../src/config/load-config.js'
import {silentLogger} from '../src/log/logger.js'
import {createContext} from '../src/rpc/context.js'
import {createRpcClient} from '../src/rpc/rpc-client-factory.js'
import {type DocumentStore, openStore} from '../src/store/index.js'
import {type Answer, makePayload} from './rpc/common.js'

/** The options every host-overhead benchmark takes, integers ≥ 1 but `pinned`. */
export interface HostOverheadOptions {
  hosts: number
  calls: number
  inflight: number
  rounds: number
  warmup: number
  idle: number
  /** --pin cross: this process on CPU 0, the hosts on CPU 1; --pin off: not pinned. */
  pinned: boolean
}

/**
 * The command line: the shared options and a benchmark's own integer options (name → default),
 * which come before --idle. Exits 2 on a bad value, naming it.
 */
export function parseHostOverheadOptions<Extra extends string = never>(
  extra: Readonly<Record<Extra, string>> = {} as Record<Extra, string>,
): HostOverheadOptions & Record<Extra, number> {
  const defaults: Record<string, string> = {hosts: '2', calls: '40000', inflight: '100', rounds: '4', warmup: '20000', ...extra, idle: '20'}
  const config: ParseArgsConfig['options'] = {pin: {type: 'string', default: 'cross'}}
  for (const [name, value] of Object.entries(defaults)) config[name] = {type: 'string', default: value}
  const values = parseArgs({options: config}).values as Record<string, string>
  const parsed: Record<string, number | boolean> = {}
  for (const name of Object.keys(defaults)) {
    const value = Number(values[name])
    if (!Number.isInteger(value) || value < 1) {
      console.error(`--${name} must be an integer ≥ 1 (got ${values[name]})`)
      process.exit(2)
    }
    parsed[name] = value
  }
  parsed.pinned = values.pin === 'cross'
  if (!parsed.pinned && values.pin !== 'off') {
    console.error(`--pin must be cross or off (got ${values.pin})`)
    process.exit(2)
  }
  return parsed as unknown as HostOverheadOptions & Record<Extra, number>
}

/** What a benchmark attaches to the hosts in its rounds; `Detached` is what detaching reports. */
export interface Observer<Detached> {
  /** Its name in a round's line, as long as `none   ` (7 characters). */
  label: string
  /** Attaches it; resolves once it observes, to what detaches it. */
  attach(): Promise<() => Promise<Detached>>
  /** Appended to an observed round's line. */
  roundNote?(detached: Detached): string
  /** The line of the idle measurement: the hosts' CPU in ms a second each without and with it. */
  idleLine(seconds: number, none: number, observed: number, detached: Detached): string
}

/** What an observer may use: the running hosts and their state directory. */
export interface HostBench {
  options: HostOverheadOptions
  /** The hosts' working directory, with their steward.json. */
  dir: string
  names: readonly string[]
  store: DocumentStore
  /** A steward process in `dir`, on `cpu` when pinned, resolved once its output matches `ready`. */
  startSteward(args: readonly string[], cpu: number, ready: RegExp): Promise<ChildProcess>
}

export interface HostOverheadBenchmark<Detached> {
  /** The dist/ file (under dist/) the benchmark needs, and the message when it is missing. */
  needs: {distFile: string; missing: string}
  /** The report's heading: `# <title>, <date>`. */
  title: string
  tempPrefix: string
  /** The hosts' topics after `bench`, and what their steward.json adds. */
  topics?: readonly string[]
  config?: Record<string, unknown>
  /** Its own settings in the header's line of settings, before the placement. */
  settings?: string
  /** Where things run when pinned, for the header. */
  placement: string
  /** Called once the hosts run and the client has warmed them up. */
  observe(bench: HostBench): Promise<Observer<Detached>>
  /** The summary's row names (unobserved, observed) and the ratio's name. */
  summary: {none: string; observed: string; ratio: string}
}

const root = fileURLToPath(new URL('..', import.meta.url))
const runJs = path.join(root, 'bin', 'run.js')

/** Stops a child with SIGTERM and waits for it to exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
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

/** Kill every child this process started when it exits or is interrupted. */
function killChildrenOnExit(): Set<ChildProcess> {
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
  return children
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

interface Round {
  observed: boolean
  rate: number
  cpuMsPer1000: number
}

/** Runs the benchmark and prints its report; exits 1 when it cannot run. */
export async function runHostOverhead<Detached>(options: HostOverheadOptions, benchmark: HostOverheadBenchmark<Detached>): Promise<void> {
  const {hosts: hostCount, calls, inflight, rounds, pinned} = options
  if (!existsSync(path.join(root, 'dist', benchmark.needs.distFile))) {
    console.error(benchmark.needs.missing)
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
  const children = killChildrenOnExit()

  const dir = await mkdtemp(path.join(tmpdir(), benchmark.tempPrefix))
  const startSteward = (args: readonly string[], cpu: number, ready: RegExp): Promise<ChildProcess> => {
    const command = pinned ? ['taskset', '-c', String(cpu), process.execPath, runJs, ...args] : [process.execPath, runJs, ...args]
    const child = spawn(command[0]!, command.slice(1), {cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, CI: ''}})
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

  await writeFile(
    path.join(dir, 'steward.json'),
    JSON.stringify({state_dir: 'state', plugin_dirs: [path.join(root, 'bench', 'rpc')], report_interval: 1, periodic_fuzzy_delay: 0, log_level: 'info', ...benchmark.config}),
  )
  const names = Array.from({length: hostCount}, (_, index) => `bench-${index + 1}`)
  const topics = ['bench', ...(benchmark.topics ?? [])]
  const hosts = await Promise.all(names.map((name) => startSteward(['start', ...topics, '--host', name], 1, new RegExp(`host ${name} running`))))
  const hostsCpu = (): number => hosts.reduce((sum, host) => sum + cpuSeconds(host.pid!), 0)

  const config = loadConfig({cwd: dir, env: {}, flags: {host: 'bench-client'}})
  const store = await openStore({stateDir: config.options.state_dir})
  const {client, close} = createRpcClient({config, store, log: silentLogger})
  const prepared = client.prepare({topic: 'bench', timeout: 30})

  let seq = 0
  /** `total` calls with `inflight` in flight at all times; resolves to calls/s. */
  const measure = async (total: number): Promise<number> => {
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

  /** The hosts' CPU over `seconds` with no calls, in ms a second per host. */
  const idleCpu = async (seconds: number): Promise<number> => {
    const before = hostsCpu()
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
    return ((hostsCpu() - before) * 1000) / seconds / hostCount
  }

  const settings = benchmark.settings === undefined ? '' : `${benchmark.settings}; `
  console.log(`# ${benchmark.title}, ${new Date().toISOString()}`)
  console.log(`node ${process.version}, ${cpuCount} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`)
  console.log(`${hostCount} host(s), worker generations; ${calls} calls a round, ${inflight} in flight; ${rounds} round(s) each way, ABBA; ${settings}${pinned ? benchmark.placement : 'not pinned'}`)
  console.log('')

  const results: Round[] = []
  try {
    await measure(options.warmup) // the JIT of every process, connections, the resolver's snapshot
    const observer = await benchmark.observe({options, dir, names, store, startSteward})
    const order = Array.from({length: rounds * 2}, (_, index) => index % 4 === 1 || index % 4 === 2)
    for (const [index, observed] of order.entries()) {
      const detach = observed ? await observer.attach() : undefined
      const cpuBefore = hostsCpu()
      const rate = await measure(calls)
      const cpuAfter = hostsCpu()
      let note = ''
      if (detach !== undefined) {
        const detached = await detach()
        note = observer.roundNote?.(detached) ?? ''
      }
      const round = {observed, rate, cpuMsPer1000: ((cpuAfter - cpuBefore) * 1000 * 1000) / calls}
      results.push(round)
      console.log(`round ${String(index + 1).padStart(2)} ${observed ? observer.label : 'none'.padEnd(observer.label.length)}  ${Math.round(rate)} calls/s  hosts' CPU ${round.cpuMsPer1000.toFixed(1)} ms per 1,000 calls${note}`)
    }
    // What the observer costs an idle host, without the noise of the calls around it.
    const idleNone = await idleCpu(options.idle)
    const detach = await observer.attach()
    const idleObserved = await idleCpu(options.idle)
    console.log(observer.idleLine(options.idle, idleNone, idleObserved, await detach()))
  } finally {
    await close()
    await store.close()
    await Promise.all(hosts.map(stopProcess))
    await rm(dir, {recursive: true, force: true})
  }

  const summary = (observed: boolean): {rate: number; cpu: number} => {
    const mine = results.filter((round) => round.observed === observed)
    return {rate: median(mine.map((round) => round.rate)), cpu: median(mine.map((round) => round.cpuMsPer1000))}
  }
  const none = summary(false)
  const observed = summary(true)
  const ratio = observed.rate / none.rate
  console.log('')
  console.log('| hosts | calls/s (median) | hosts\' CPU per 1,000 calls (median) |')
  console.log('| --- | ---: | ---: |')
  console.log(`| ${benchmark.summary.none} | ${Math.round(none.rate)} | ${none.cpu.toFixed(1)} ms |`)
  console.log(`| ${benchmark.summary.observed} | ${Math.round(observed.rate)} | ${observed.cpu.toFixed(1)} ms |`)
  console.log('')
  console.log(`${benchmark.summary.ratio} / none: ${ratio.toFixed(3)}× calls/s (target ≥ 0.95×: ${ratio >= 0.95 ? 'PASS' : 'FAIL'}), ${(observed.cpu / none.cpu).toFixed(3)}× CPU per call`)
}
