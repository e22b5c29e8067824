// Server child processes: spawned with `node --import tsx`, up once they print their ready line,
// and all killed when the benchmark exits, however it exits.
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'
import {READY_PREFIX, type ReadyInfo} from './common.js'

/** The repository root: the servers run from there, so `--import tsx` resolves. */
export const root = fileURLToPath(new URL('../..', import.meta.url))

const live = new Set<ChildProcess>()

function killAll(): void {
  for (const child of live) child.kill('SIGKILL')
  live.clear()
}

process.on('exit', killAll)
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers`)
    killAll()
    process.exit(code)
  })
}

let serverCpu: number | undefined

/**
 * Pin this process (all its threads) to one CPU and the servers started from now on to another
 * (they may be the same), with taskset; undefined leaves both to the scheduler.
 */
export function pin(placement: {client: number; server: number} | undefined): void {
  serverCpu = placement?.server
  if (placement === undefined) return
  const result = spawnSync('taskset', ['-a', '-p', '-c', String(placement.client), String(process.pid)], {encoding: 'utf8'})
  if (result.status !== 0) throw new BenchError(`taskset could not pin this process to CPU ${placement.client}: ${result.error?.message ?? result.stderr.trim()}`)
}

/** The benchmark itself cannot run a system (as opposed to a missed target). */
export class BenchError extends Error {}

export interface Server {
  name: string
  ready: ReadyInfo
  stop(): Promise<void>
}

/**
 * Start a server script and wait for its ready line. Fails with the server's stderr when it exits
 * first or does not come up within the timeout.
 */
export async function startServer(name: string, script: string, args: readonly string[], timeoutMs: number): Promise<Server> {
  const command = [process.execPath, '--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args]
  if (serverCpu !== undefined) command.unshift('taskset', '-c', String(serverCpu))
  const child = spawn(command[0]!, command.slice(1), {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  live.add(child)
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  void exited.then(() => live.delete(child))
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.stdin.end()
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
    await exited
    clearTimeout(timer)
  }

  const lines = createInterface({input: child.stdout})
  try {
    const ready = await new Promise<ReadyInfo>((resolve, reject) => {
      const timer = setTimeout(() => reject(new BenchError(`the ${name} server did not come up within ${timeoutMs / 1000} s (no ready line)${tail(stderr)}`)), timeoutMs)
      child.once('error', (error) => {
        clearTimeout(timer)
        reject(new BenchError(`the ${name} server could not be started: ${error.message}`))
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        // Give stderr a moment to be read before reporting it.
        setTimeout(() => reject(new BenchError(`the ${name} server exited before it was ready (${signal ?? `code ${code}`})${tail(stderr)}`)), 50)
      })
      lines.on('line', (line) => {
        if (!line.startsWith(READY_PREFIX)) return
        clearTimeout(timer)
        resolve(JSON.parse(line.slice(READY_PREFIX.length)) as ReadyInfo)
      })
    })
    return {name, ready, stop}
  } catch (error) {
    child.kill('SIGKILL')
    await exited
    throw error
  }
}

function tail(stderr: string): string {
  const text = stderr.trim()
  return text === '' ? '' : `; its stderr:\n${text.split('\n').slice(-15).join('\n')}`
}
