import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, rm, utimes, writeFile} from 'node:fs/promises'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {isStewardError} from '../errors/index.js'
import {FileLock} from '../store/file-lock.js'
import {LockManager} from './lock-manager.js'
import {lockFileName} from './lock-name.js'

async function failure(promise: Promise<unknown>): Promise<Error & {code: string; data: Record<string, unknown>}> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(isStewardError(error, 'LOCK_ACQUIRE_FAILED')).toBe(true)
  return error as Error & {code: string; data: Record<string, unknown>}
}

function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return {opened, open}
}

describe('LockManager in-process', () => {
  it('lets one holder in at a time', async () => {
    const locks = new LockManager()
    let inside = 0
    let most = 0
    let counter = 0
    await Promise.all(
      Array.from({length: 20}, () =>
        locks.synchronized('counter-a', async () => {
          inside += 1
          most = Math.max(most, inside)
          const seen = counter
          await sleep(1)
          counter = seen + 1
          inside -= 1
        }),
      ),
    )
    expect(counter).toBe(20)
    expect(most).toBe(1)
  })

  it('hands the lock to waiters in the order they asked', async () => {
    const locks = new LockManager()
    const first = gate()
    const order: string[] = []
    const holder = locks.synchronized('fifo', () => first.opened)
    const waiters = ['a', 'b', 'c', 'd'].map((name) => locks.synchronized('fifo', () => void order.push(name)))
    await sleep(5)
    expect(order).toEqual([])
    first.open()
    await Promise.all([holder, ...waiters])
    expect(order).toEqual(['a', 'b', 'c', 'd'])
  })

  it('keeps different names apart and returns what fn returns, sync or async', async () => {
    const locks = new LockManager()
    const held = gate()
    const holder = locks.synchronized('one', () => held.opened)
    await expect(locks.synchronized('two', () => 42, {blocking: false})).resolves.toBe(42)
    await expect(locks.synchronized('three', async () => 'async')).resolves.toBe('async')
    held.open()
    await holder
  })

  it('excludes across LockManagers of the same thread, as Manila does per process', async () => {
    const held = gate()
    const holder = new LockManager().synchronized('shared', () => held.opened)
    const error = await failure(new LockManager().synchronized('shared', () => 1, {blocking: false}))
    expect(error.message).toContain('steward-shared')
    held.open()
    await holder
  })

  it('fails at once with LOCK_ACQUIRE_FAILED when held and blocking is false', async () => {
    const locks = new LockManager()
    const held = gate()
    const holder = locks.synchronized('busy', () => held.opened)
    const fn = vi.fn()
    const error = await failure(locks.synchronized('busy', fn, {blocking: false}))
    expect(error.message).toBe('Lock steward-busy is held, and the caller does not wait (blocking: false).')
    expect(error.data).toEqual({lock: 'steward-busy', reason: 'held'})
    expect(fn).not.toHaveBeenCalled()
    held.open()
    await holder
  })

  it('fails with LOCK_ACQUIRE_FAILED after the timeout, and a timed-out waiter leaves the queue', async () => {
    const locks = new LockManager()
    const held = gate()
    const order: string[] = []
    const holder = locks.synchronized('slow', () => held.opened)
    const patient = locks.synchronized('slow', () => void order.push('patient'))
    const started = performance.now()
    const error = await failure(locks.synchronized('slow', () => void order.push('impatient'), {timeout: 0.05}))
    expect(performance.now() - started).toBeGreaterThanOrEqual(45)
    expect(error.message).toBe('Timed out after 0.05 s waiting for lock steward-slow: it is held.')
    expect(error.data).toMatchObject({lock: 'steward-slow', reason: 'timeout'})
    held.open()
    await Promise.all([holder, patient])
    expect(order).toEqual(['patient'])
  })

  it('releases the lock when fn throws, and passes the error on as it is', async () => {
    const locks = new LockManager()
    const boom = new Error('boom')
    await expect(
      locks.synchronized('throws', () => {
        throw boom
      }),
    ).rejects.toBe(boom)
    await expect(locks.synchronized('throws', async () => Promise.reject(boom))).rejects.toBe(boom)
    await expect(locks.synchronized('throws', () => 'free again', {blocking: false})).resolves.toBe('free again')
  })

  it('uses the prefix it is given', async () => {
    const locks = new LockManager({prefix: 'test-'})
    const held = gate()
    const holder = locks.synchronized('x', () => held.opened)
    expect((await failure(locks.synchronized('x', () => 1, {blocking: false}))).data.lock).toBe('test-x')
    held.open()
    await holder
  })

  it('rejects an empty name and an invalid timeout', async () => {
    const locks = new LockManager()
    await expect(locks.synchronized('', () => 1)).rejects.toThrow(TypeError)
    await expect(locks.synchronized('x', () => 1, {timeout: -1})).rejects.toThrow(RangeError)
    await expect(locks.synchronized('x', () => 1, {timeout: Number.NaN})).rejects.toThrow(RangeError)
  })
})

describe('lockFileName', () => {
  it('keeps readable names and adds a short hash when it had to change one', () => {
    expect(lockFileName('steward-counter')).toBe('steward-counter')
    expect(lockFileName('steward-share_1.replica')).toBe('steward-share_1.replica')
    expect(lockFileName('steward-share/a b')).toMatch(/^steward-share_a_b-[0-9a-f]{8}$/)
    expect(lockFileName('steward-share a/b')).toMatch(/^steward-share_a_b-[0-9a-f]{8}$/)
    expect(lockFileName('steward-share/a b')).not.toBe(lockFileName('steward-share a/b'))
    expect(lockFileName('..')).toMatch(/^_-[0-9a-f]{8}$/)
    expect(lockFileName(`steward-${'x'.repeat(300)}`)).toHaveLength(109)
  })
})

describe('LockManager with a lock directory', () => {
  let dir: string
  let lockDir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steward-locks-'))
    lockDir = join(dir, 'state', 'locks')
  })

  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  const otherHolder = (name: string, staleMs = 10_000) =>
    new FileLock(join(lockDir, name), {staleMs, timeoutMs: 0, onCompromised: () => {}})

  it('creates the lock directory and holds <lockDir>/<name>.lock while fn runs', async () => {
    const locks = new LockManager({lockDir})
    const lockPath = join(lockDir, 'steward-counter.lock')
    const seen = await locks.synchronized('counter', () => existsSync(lockPath))
    expect(seen).toBe(true)
    expect(existsSync(lockPath)).toBe(false)
  })

  it('releases the file lock when fn throws', async () => {
    const locks = new LockManager({lockDir})
    await expect(
      locks.synchronized('thrower', () => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(existsSync(join(lockDir, 'steward-thrower.lock'))).toBe(false)
  })

  it('fails when another holder has the file lock: at once without blocking, after the timeout with it', async () => {
    await mkdir(lockDir, {recursive: true})
    const other = await otherHolder('steward-taken').acquire()
    const locks = new LockManager({lockDir})
    const busy = await failure(locks.synchronized('taken', () => 1, {blocking: false}))
    expect(busy.message).toMatch(new RegExp(`^Lock steward-taken is held by pid ${process.pid} on .+, and the caller does not wait`))
    expect(busy.data).toMatchObject({reason: 'held', lockPath: join(lockDir, 'steward-taken.lock'), holder: {pid: process.pid}})
    const late = await failure(locks.synchronized('taken', () => 1, {timeout: 0.1}))
    expect(late.data.reason).toBe('timeout')
    await other.release()
    await expect(locks.synchronized('taken', () => 'mine', {blocking: false})).resolves.toBe('mine')
  })

  it('waits for another holder to let go when blocking', async () => {
    await mkdir(lockDir, {recursive: true})
    const other = await otherHolder('steward-wait').acquire()
    const locks = new LockManager({lockDir})
    const result = locks.synchronized('wait', () => 'after', {timeout: 5})
    await sleep(50)
    await other.release()
    await expect(result).resolves.toBe('after')
  })

  it('takes over a stale lock directory', async () => {
    const lockPath = join(lockDir, 'steward-stale.lock')
    await mkdir(lockPath, {recursive: true})
    const old = new Date(Date.now() - 60_000)
    await utimes(lockPath, old, old)
    const locks = new LockManager({lockDir, staleMs: 2_000})
    await expect(locks.synchronized('stale', () => 'taken over', {timeout: 1})).resolves.toBe('taken over')
  })

  it('takes over at once a lock left by a process of this machine that is gone, and says so', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'})
    const lockPath = join(lockDir, 'steward-orphan.lock')
    await mkdir(lockPath, {recursive: true})
    // The owner file FileLock writes in its lock directory: a pid of this host that has exited.
    await writeFile(join(lockPath, 'owner'), JSON.stringify({pid: Number(gone.stdout), host: hostname(), acquiredAt: new Date().toISOString()}))
    const warn = vi.fn()
    const locks = new LockManager({lockDir, logger: {warn, error: vi.fn()}})
    await expect(locks.synchronized('orphan', () => 'recovered', {blocking: false})).resolves.toBe('recovered')
    expect(warn).toHaveBeenCalledWith('took over lock steward-orphan, left behind by a process that is gone', expect.objectContaining({lock: 'steward-orphan'}))
  })

  it('reports a lock lost while held instead of crashing, and still returns fn’s result', async () => {
    const error = vi.fn()
    const locks = new LockManager({lockDir, staleMs: 2_000, logger: {warn: vi.fn(), error}})
    const lockPath = join(lockDir, 'steward-lost.lock')
    const result = await locks.synchronized('lost', async () => {
      await rm(lockPath, {recursive: true})
      // proper-lockfile refreshes the lock every staleMs / 2 and then finds it gone.
      await vi.waitFor(() => expect(error).toHaveBeenCalled(), {timeout: 3_000, interval: 50})
      return 'done'
    })
    expect(result).toBe('done')
    expect(error.mock.calls[0]?.[0]).toMatch(/^lock steward-lost was lost while held/)
  })

  it('makes the lock directory again when it was removed', async () => {
    const locks = new LockManager({lockDir})
    await locks.synchronized('again', () => {})
    await rm(lockDir, {recursive: true})
    await expect(locks.synchronized('again', () => 'ok')).resolves.toBe('ok')
  })

  it('fails with LOCK_ACQUIRE_FAILED when the lock directory cannot be made', async () => {
    await writeFile(join(dir, 'state'), 'a file where a directory should be')
    const error = await failure(new LockManager({lockDir}).synchronized('nowhere', () => 1))
    expect(error.data.reason).toBe('unavailable')
  })
})
