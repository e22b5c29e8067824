import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtemp, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const bin = path.join(repoRoot, 'bin', 'run.js')

/** A fresh directory for one test: its own state, config and working directory. */
export async function makeTestDir(prefix = 'steward-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix))
}

/** Write a steward.json in dir; state_dir defaults to dir/state. */
export async function writeConfig(dir: string, config: Record<string, unknown>): Promise<string> {
  const file = path.join(dir, 'steward.json')
  await writeFile(file, JSON.stringify({state_dir: 'state', ...config}, null, 2))
  return file
}

/** The environment of a child: this one without STEWARD_* or CI variables, plus extra. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('STEWARD_') && key !== 'NODE_ENV') env[key] = value
  }
  return {...env, ...extra}
}

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Run one steward command to its end. */
export function runCli(args: readonly string[], options: {cwd: string; env?: Record<string, string>; nodeArgs?: readonly string[]}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], {cwd: options.cwd, env: childEnv(options.env)})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr}))
  })
}

/** Run a command with --json and parse what it printed. */
export async function runJson<T>(args: readonly string[], options: {cwd: string; env?: Record<string, string>}): Promise<T> {
  const result = await runCli([...args, '--json'], options)
  if (result.code !== 0) throw new Error(`steward ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`)
  return JSON.parse(result.stdout) as T
}

const running = new Set<ChildProcess>()

/** Kill every process a test left running (use in afterEach), so a failed test leaks nothing. */
export async function killLeftovers(): Promise<void> {
  const exits = [...running].map((child) => new Promise((resolve) => child.once('exit', resolve)))
  for (const child of running) child.kill('SIGKILL')
  await Promise.all(exits)
}

/** A long-running steward process (a host), with its output collected. */
export class StewardProcess {
  readonly child: ChildProcess
  output = ''
  readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  private readonly watchers: Array<{pattern: RegExp; resolve: () => void}> = []

  constructor(args: readonly string[], options: {cwd: string; env?: Record<string, string>; command?: readonly string[]}) {
    const command = options.command ?? [process.execPath, bin]
    this.child = spawn(command[0]!, [...command.slice(1), ...args], {cwd: options.cwd, env: childEnv(options.env)})
    const collect = (chunk: Buffer): void => {
      this.output += chunk.toString()
      for (const watcher of [...this.watchers]) {
        if (watcher.pattern.test(this.output)) {
          this.watchers.splice(this.watchers.indexOf(watcher), 1)
          watcher.resolve()
        }
      }
    }
    this.child.stdout!.on('data', collect)
    this.child.stderr!.on('data', collect)
    running.add(this.child)
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        running.delete(this.child)
        resolve({code, signal})
      }),
    )
  }

  /** Resolves when the output matches; fails if the process exits first. */
  waitForOutput(pattern: RegExp): Promise<void> {
    if (pattern.test(this.output)) return Promise.resolve()
    const seen = new Promise<void>((resolve) => this.watchers.push({pattern, resolve}))
    const died = this.exited.then(({code, signal}) => {
      throw new Error(`process exited (${code ?? signal}) before printing ${pattern}:\n${this.output}`)
    })
    return Promise.race([seen, died])
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal)
  }
}

/** Check a condition until it holds; for states that only time makes true (a heartbeat going stale). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
