import {mkdirSync} from 'node:fs'
import {readFile, rename, rm, stat, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {StewardError, isStewardError} from '../errors/index.js'
import type {Logger} from '../log/logger.js'
import {FileLock} from '../store/file-lock.js'
import {isProcessAlive} from '../store/process-liveness.js'

/** A host's pid file: `<state_dir>/run/<host>.pid`, the pid and a newline (`kill $(cat …)` works). */
export function pidFilePath(stateDir: string, host: string): string {
  return path.join(stateDir, 'run', `${encodeURIComponent(host)}.pid`)
}

/** Held while the host runs; release() removes the pid file and frees the name. */
export interface HostLock {
  readonly pidFile: string
  release(): Promise<void>
}

/**
 * Claim a host name in a state directory, so one host of that name runs at a time: a second
 * `steward start` would otherwise bind the first one's ipc socket path and take its calls. The
 * claim is a lock directory next to the pid file (the store's FileLock: `mkdir`, refreshed while
 * held). A lock whose owner process is dead (kill -9) is taken over at once; one whose pid was
 * reused by another program stops being refreshed and is taken over after 10 s.
 */
export async function acquireHostLock(stateDir: string, host: string, log: Logger): Promise<HostLock> {
  const pidFile = pidFilePath(stateDir, host)
  mkdirSync(path.dirname(pidFile), {recursive: true, mode: 0o700})
  const lock = new FileLock(pidFile, {
    staleMs: 10_000,
    timeoutMs: 0,
    onCompromised: (error) => log.error(`the pid file lock of host ${host} was lost (${error.message}): another host of this name could start now`),
  })
  let held
  try {
    held = await lock.acquire()
  } catch (error) {
    if (!isStewardError(error, 'STORE_LOCK_TIMEOUT')) throw error
    const pid = (await readPidFile(pidFile)) ?? (error.data.holder as {pid?: number} | undefined)?.pid
    throw new StewardError('HOST_ALREADY_RUNNING', `Host ${host} already runs${pid === undefined ? '' : ` (pid ${pid})`} with the state directory ${stateDir}.`, {
      data: {host, pid: pid ?? null, pidFile},
      suggestions: [`Stop it first: steward stop --host ${host}`, 'Or start this one under another name: --host NAME'],
    })
  }
  const temporary = `${pidFile}.${process.pid}.tmp`
  await writeFile(temporary, `${process.pid}\n`, {mode: 0o644})
  await rename(temporary, pidFile)
  return {
    pidFile,
    release: async () => {
      if ((await readPidFile(pidFile)) === process.pid) await rm(pidFile, {force: true})
      await held.release()
    },
  }
}

async function readPidFile(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(file, 'utf8'), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

/**
 * The pid of the host of that name running on this machine with this state directory, or
 * undefined: its pid file names a live process and its lock is held.
 */
export async function runningHostPid(stateDir: string, host: string): Promise<number | undefined> {
  const pidFile = pidFilePath(stateDir, host)
  const pid = await readPidFile(pidFile)
  if (pid === undefined || !isProcessAlive(pid)) return undefined
  try {
    await stat(`${pidFile}.lock`)
  } catch {
    return undefined
  }
  return pid
}
