/**
 * A real terminal for end-to-end tests of the TUI: a command in a detached tmux session of a
 * given size, keys sent with send-keys, the screen read with capture-pane. Each session has its
 * own tmux server (socket), so tests neither see nor disturb a developer's tmux.
 *
 * The command runs without `CI` in its environment: with it set, Ink draws nothing until exit.
 */
import {execFile, execFileSync} from 'node:child_process'
import {setTimeout as delay} from 'node:timers/promises'
import {promisify} from 'node:util'

const exec = promisify(execFile)
let sessions = 0

/** Whether tmux can be run here (.ci/run installs it). */
export function tmuxAvailable(): boolean {
  try {
    execFileSync('tmux', ['-V'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

export interface TmuxOptions {
  /** @default 80 */
  columns?: number
  /** @default 24 */
  rows?: number
  cwd?: string
  /** Added to this process's environment (less CI); undefined removes a variable. */
  env?: Record<string, string | undefined>
}

export interface WaitOptions {
  /** @default 15000 */
  timeoutMs?: number
  /** @default 100 */
  intervalMs?: number
}

export class TmuxSession {
  private constructor(
    readonly socket: string,
    readonly target: string,
  ) {}

  /**
   * Start `command` (a shell command line) in a new detached session. The pane stays after the command
   * ends, so a test can read what the terminal shows then.
   */
  static async start(command: string, options: TmuxOptions = {}): Promise<TmuxSession> {
    const socket = `steward-test-${process.pid}-${++sessions}`
    const target = 'tui'
    const env: NodeJS.ProcessEnv = {...process.env, TERM: 'xterm-256color'}
    delete env.CI
    delete env.TMUX
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[key]
      else env[key] = value
    }
    const session = new TmuxSession(socket, target)
    // -f /dev/null: none of the user's configuration. One argument: tmux runs it with `sh -c`
    // (several would be joined with spaces, losing their quoting). remain-on-exit keeps the
    // pane when the command ends.
    await exec('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', target, '-x', String(options.columns ?? 80), '-y', String(options.rows ?? 24), ...(options.cwd === undefined ? [] : ['-c', options.cwd]), command], {env})
    await session.tmux('set-option', '-t', target, 'remain-on-exit', 'on')
    return session
  }

  private async tmux(...args: string[]): Promise<string> {
    const {stdout} = await exec('tmux', ['-L', this.socket, ...args])
    return stdout
  }

  /** Send keys by tmux name: `q`, `Enter`, `Escape`, `C-c`, `Down`, `Tab`, `BTab`. */
  async sendKeys(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', this.target, ...keys)
  }

  /** Type text literally. */
  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', this.target, '-l', text)
  }

  /** The screen as text, one line per row (the alternate screen while a full-screen app runs). */
  async capture(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-t', this.target)
  }

  /**
   * Wait until the screen matches. Polling is the way here: the test observes a terminal, which
   * has no event to wait for.
   */
  async waitFor(pattern: RegExp | string, options: WaitOptions = {}): Promise<string> {
    return this.waitUntil((screen) => (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)), `the screen to show ${String(pattern)}`, options)
  }

  /** Wait until the screen no longer matches. */
  async waitForGone(pattern: RegExp | string, options: WaitOptions = {}): Promise<string> {
    return this.waitUntil((screen) => !(typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)), `${String(pattern)} to leave the screen`, options)
  }

  async waitUntil(check: (screen: string) => boolean, what: string, {timeoutMs = 15_000, intervalMs = 100}: WaitOptions = {}): Promise<string> {
    const deadline = Date.now() + timeoutMs
    let screen = ''
    for (;;) {
      screen = await this.capture()
      if (check(screen)) return screen
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. The screen:\n${screen}`)
      await delay(intervalMs)
    }
  }

  async resize(columns: number, rows: number): Promise<void> {
    await this.tmux('resize-window', '-t', this.target, '-x', String(columns), '-y', String(rows))
  }

  /** The pid of the pane's process (the `sh` running the command). */
  async panePid(): Promise<number> {
    return Number((await this.tmux('display-message', '-p', '-t', this.target, '#{pane_pid}')).trim())
  }

  /** Whether the pane's command has ended, and its exit status. */
  async exitStatus(): Promise<number | undefined> {
    const [dead, status] = (await this.tmux('display-message', '-p', '-t', this.target, '#{pane_dead} #{pane_dead_status}')).trim().split(' ')
    return dead === '1' ? Number(status) : undefined
  }

  /** End the session and its server, and whatever still runs in it. */
  async stop(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined)
  }
}
