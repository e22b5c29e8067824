import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type {StewardConfig} from '../config/load-config.js'
import {StewardError, type SerializedError} from '../errors/index.js'
import {hostLogPath} from '../log/rotating-file.js'
import {runningHostPid} from '../service/host-lock.js'

/** What a background host tells the `steward start --detach` that started it, over IPC. */
export type DaemonMessage = {type: 'running'; pid: number} | {type: 'failed'; error: SerializedError}

export interface Detached {
  host: string
  pid: number
  logFile: string
  pidFile: string
}

/**
 * Start this same `steward start` in the background: a new session (no terminal, so no SIGHUP
 * when the terminal closes), its log in `<state_dir>/logs/<host>.log` (rotated), anything written
 * outside the logger (a crash trace) in `<host>.stdio.log`. Resolves once the host runs; rejects
 * with the host's own error when it fails to start.
 */
export async function detach(config: StewardConfig, argv: readonly string[]): Promise<Detached> {
  const {host, state_dir: stateDir} = config.options
  const pid = await runningHostPid(stateDir, host)
  if (pid !== undefined) {
    throw new StewardError('HOST_ALREADY_RUNNING', `Host ${host} already runs (pid ${pid}) with the state directory ${stateDir}.`, {
      data: {host, pid},
      suggestions: [`Stop it first: steward stop --host ${host}`, 'Or start this one under another name: --host NAME'],
    })
  }
  const logFile = hostLogPath(stateDir, host)
  fs.mkdirSync(path.dirname(logFile), {recursive: true, mode: 0o700})
  const stdioFile = logFile.replace(/\.log$/, '.stdio.log')
  const stdio = fs.openSync(stdioFile, 'w', 0o600)
  const args = [...process.execArgv, process.argv[1]!, 'start', ...argv.filter((arg) => arg !== '--detach' && arg !== '-d'), '--daemon-child', '--no-dashboard']
  const child = spawn(process.execPath, args, {detached: true, stdio: ['ignore', stdio, stdio, 'ipc'], cwd: process.cwd(), env: process.env})
  fs.closeSync(stdio)
  try {
    const message = await new Promise<DaemonMessage>((resolve, reject) => {
      child.once('message', (value) => resolve(value as DaemonMessage))
      child.once('error', reject)
      child.once('exit', (code, signal) => {
        const tail = fs.readFileSync(stdioFile, 'utf8').trim().split('\n').slice(-10).join('\n')
        reject(
          new StewardError('HOST_START_FAILED', `The background host ${host} exited (${signal ?? `code ${code}`}) before it was running.${tail === '' ? '' : `\n${tail}`}`, {
            data: {host, logFile, stdioFile},
            suggestions: [`Read its log: steward logs --host ${host}`, `Run it in the foreground to see why: steward start ${argv.filter((arg) => arg !== '--detach' && arg !== '-d').join(' ')}`.trim()],
          }),
        )
      })
    })
    if (message.type === 'failed') {
      const {code, message: text, data, suggestions} = message.error
      throw new StewardError(code as never, text, {data: {...data, logFile}, suggestions})
    }
    return {host, pid: message.pid, logFile, pidFile: path.join(stateDir, 'run', `${encodeURIComponent(host)}.pid`)}
  } finally {
    child.removeAllListeners()
    if (child.connected) child.disconnect()
    child.unref()
  }
}

/** In the background host: tell the starting command how the start went, then let it go. */
export function reportToStarter(message: DaemonMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve()
    process.send!(message, () => {
      process.disconnect()
      resolve()
    })
  })
}
