// A steward host process of the benchmark (`bin/run.js start …`, over dist/), its log read line
// by line from a pipe, and killed when the benchmark exits however it exits.
import {type ChildProcess, spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {createInterface} from 'node:readline'
import {BenchError, root} from '../rpc/children.js'

const bin = path.join(root, 'bin', 'run.js')
/** Lines kept for error messages and for waits that start after the line came. */
const TAIL_LINES = 200

const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export class HostProcess {
  readonly name: string
  readonly #child: ChildProcess
  readonly #exited: Promise<void>
  readonly #tail: string[] = []
  readonly #listeners = new Set<(line: string) => void>()

  /**
   * `steward start <services> --host <name>` in dir (its steward.json), with the environment of
   * this process less STEWARD_* and CI. nodeArgs go before bin/run.js (--cpu-prof …).
   */
  constructor(dir: string, name: string, services: readonly string[], nodeArgs: readonly string[] = []) {
    this.name = name
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('STEWARD_') && key !== 'CI'))
    this.#child = spawn(process.execPath, [...nodeArgs, bin, 'start', ...services, '--host', name], {cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe']})
    live.add(this.#child)
    this.#exited = new Promise((resolve) =>
      this.#child.once('exit', () => {
        live.delete(this.#child)
        resolve()
      }),
    )
    // Both streams are always read: a host writes its log synchronously to a pipe, and would
    // block once the pipe is full.
    for (const stream of [this.#child.stdout!, this.#child.stderr!]) {
      createInterface({input: stream}).on('line', (line) => {
        this.#tail.push(line)
        if (this.#tail.length > TAIL_LINES) this.#tail.shift()
        for (const listener of this.#listeners) listener(line)
      })
    }
  }

  get pid(): number {
    return this.#child.pid!
  }

  /** Call listener with every line from now on; returns the function that stops it. */
  onLine(listener: (line: string) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Resolves once a line (among the last ones kept, or to come) matches; fails on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    const seen = this.#tail.find((line) => pattern.test(line))
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer)
        stop()
      }
      const timer = setTimeout(() => {
        done()
        reject(new BenchError(`host ${this.name} printed no line matching ${pattern} within ${timeoutMs / 1000} s${this.describeTail()}`))
      }, timeoutMs)
      const stop = this.onLine((line) => {
        if (!pattern.test(line)) return
        done()
        resolve(line)
      })
      void this.#exited.then(() => {
        done()
        reject(new BenchError(`host ${this.name} exited before printing ${pattern}${this.describeTail()}`))
      })
    })
  }

  /** Resolves when the process exits. */
  get exited(): Promise<void> {
    return this.#exited
  }

  /** CPU time (user + system, every thread) the process has used, in ms, from /proc. */
  cpuMs(): number {
    // After the command: state, ppid … utime, stime (indexes 11 and 12), in clock ticks (USER_HZ 100).
    const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  }

  /** The last lines it printed, for an error message. */
  describeTail(): string {
    return `; its last lines:\n${this.#tail.slice(-15).join('\n')}`
  }

  /** SIGTERM (a host stops its services in order), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    this.#child.kill('SIGTERM')
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 15_000)
    await this.#exited
    clearTimeout(timer)
  }
}
