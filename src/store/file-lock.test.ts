import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {mkdir, mkdtemp, readdir, rm, utimes, writeFile} from 'node:fs/promises'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {FileLock} from './file-lock.js'
import {openStore} from './open-store.js'

let dir: string
let file: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-lock-'))
  file = join(dir, 'steward.json')
})

afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

function fileLock(options: {timeoutMs?: number; onCompromised?: (error: Error) => void} = {}): FileLock {
  return new FileLock(file, {staleMs: 2000, timeoutMs: options.timeoutMs ?? 5000, onCompromised: options.onCompromised ?? (() => {})})
}

/** A lock directory as another process would leave it. */
async function leaveLock(owner: {pid: number; host?: string} | undefined): Promise<void> {
  await mkdir(`${file}.lock`)
  if (owner !== undefined) {
    const content = {pid: owner.pid, host: owner.host ?? hostname(), acquiredAt: '2030-01-01T00:00:00.000Z'}
    await writeFile(join(`${file}.lock`, 'owner'), JSON.stringify(content))
  }
}

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], {stdio: 'ignore'})
  await once(child, 'exit')
  return child.pid ?? 0
}

describe('FileLock', () => {
  it('takes and releases the lock directory, with an owner file naming this process', async () => {
    const lock = fileLock()
    const held = await lock.acquire()
    expect(await readdir(`${file}.lock`)).toEqual(['owner'])
    expect(held.recovered).toBe(false)
    await held.release()
    expect(await readdir(dir)).toEqual([])
  })

  it('times out with STORE_LOCK_TIMEOUT naming the live holder', async () => {
    await leaveLock({pid: process.pid})
    const error = await fileLock({timeoutMs: 30}).acquire().catch((caught: unknown) => caught)
    expect(error).toMatchObject({code: 'STORE_LOCK_TIMEOUT', retryable: true})
    const message = (error as Error).message
    expect(message).toContain(`waiting for the lock on the state file ${file} (lock directory ${file}.lock)`)
    expect(message).toContain(`held by pid ${process.pid} on ${hostname()} since 2030-01-01T00:00:00.000Z`)
    expect(JSON.stringify(error)).toContain(`rm -r ${file}.lock`)
  })

  it('waits for a fresh lock without an owner file rather than guessing', async () => {
    await leaveLock(undefined)
    await expect(fileLock({timeoutMs: 30}).acquire()).rejects.toMatchObject({code: 'STORE_LOCK_TIMEOUT'})
  })

  it('does not take over a lock of another host, even if its pid is free here', async () => {
    await leaveLock({pid: await deadPid(), host: `not-${hostname()}`})
    await expect(fileLock({timeoutMs: 30}).acquire()).rejects.toMatchObject({code: 'STORE_LOCK_TIMEOUT'})
  })

  it('takes over at once a lock whose holder on this host is dead', async () => {
    await leaveLock({pid: await deadPid()})
    // A timeout of 0 proves there was no waiting for the lock to go stale.
    const held = await fileLock({timeoutMs: 0}).acquire()
    expect(held.recovered).toBe(true)
    await held.release()
  })

  it('takes over a lock whose mtime is older than the stale time', async () => {
    await leaveLock(undefined)
    const past = new Date(Date.now() - 60_000)
    await utimes(`${file}.lock`, past, past)
    const held = await fileLock({timeoutMs: 0}).acquire()
    expect(held.recovered).toBe(true)
    await held.release()
  })

  it('reports a lock lost while held instead of throwing from a timer', async () => {
    let reported: (error: Error) => void = () => {}
    const compromised = new Promise<Error>((resolve) => (reported = resolve))
    const held = await fileLock({onCompromised: (error) => reported(error)}).acquire()
    await rm(`${file}.lock`, {recursive: true})
    // proper-lockfile notices when it next refreshes the lock (staleMs / 2 later).
    expect(await compromised).toMatchObject({code: 'ECOMPROMISED'})
    expect(held.compromised).toBeDefined()
    await held.release()
  })
})

describe('the store and its lock', () => {
  it('reads without the lock', async () => {
    const store = await openStore({stateDir: dir, create: true, lockTimeoutMs: 30})
    await leaveLock({pid: process.pid})
    expect(await store.listServices()).toEqual([])
    await expect(store.removeServices([1])).rejects.toMatchObject({code: 'STORE_LOCK_TIMEOUT'})
    await rm(`${file}.lock`, {recursive: true})
    await store.close()
  })

  it('recovers the lock of a dead writer and removes its temp files', async () => {
    const store = await openStore({stateDir: dir, create: true, lockTimeoutMs: 0})
    const pid = await deadPid()
    await leaveLock({pid})
    await writeFile(join(dir, `.steward.json.${pid}.0123456789ab.tmp`), '{"half": ')
    await writeFile(join(dir, `.steward.json.bak.${pid}.0123456789ab.tmp`), '')
    await store.findOrCreateService({host: 'a', binary: 'steward-share', topic: 'share', zone: 'nova', disabled: false})
    expect(store.stats?.recoveredLocks).toBe(1)
    expect((await readdir(dir)).sort()).toEqual(['steward.json', 'steward.json.bak'])
    await store.close()
  })
})
