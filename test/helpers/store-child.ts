import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'
import {once} from 'node:events'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

const script = fileURLToPath(new URL('../integration/store.child.ts', import.meta.url))

/** A running test/integration/store.child.ts, read line by line. */
export class StoreChild {
  readonly process: ChildProcessWithoutNullStreams
  /**
   * Resolves when the process has exited and been reaped (so its pid is free) and all its output
   * has been read.
   */
  readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  #stderr = ''
  readonly #lines: string[] = []
  readonly #waiters: Array<{resolve: (line: string) => void; reject: (error: Error) => void}> = []
  #ended = false

  constructor(args: readonly string[]) {
    this.process = spawn(process.execPath, ['--import', 'tsx', script, ...args], {stdio: ['pipe', 'pipe', 'pipe']})
    this.process.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr += chunk))
    createInterface({input: this.process.stdout}).on('line', (line) => {
      const waiter = this.#waiters.shift()
      if (waiter === undefined) this.#lines.push(line)
      else waiter.resolve(line)
    })
    this.exited = once(this.process, 'close').then(([code, signal]) => {
      this.#ended = true
      for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#endError(code, signal))
      return {code: code as number | null, signal: signal as NodeJS.Signals | null}
    })
  }

  get stderr(): string {
    return this.#stderr
  }

  /** The next line of output; rejects (with the child's stderr) if it exits first. */
  nextLine(): Promise<string> {
    const line = this.#lines.shift()
    if (line !== undefined) return Promise.resolve(line)
    if (this.#ended) return Promise.reject(this.#endError(this.process.exitCode, this.process.signalCode))
    return new Promise((resolve, reject) => this.#waiters.push({resolve, reject}))
  }

  send(line: string): void {
    this.process.stdin.write(`${line}\n`)
  }

  /** Wait for a clean exit; rejects with the child's stderr otherwise. */
  async succeeded(): Promise<void> {
    const {code, signal} = await this.exited
    if (code !== 0) throw this.#endError(code, signal)
  }

  #endError(code: number | null, signal: NodeJS.Signals | null): Error {
    return new Error(`store child exited (code ${code}, signal ${signal}):\n${this.#stderr}`)
  }
}
