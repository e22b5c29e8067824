import {spawn, type ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {LockManager} from '../../src/coordination/index.js'

const child = fileURLToPath(new URL('coordination-locks.child.ts', import.meta.url))

function startChild(...args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', child, ...args], {stdio: ['ignore', 'pipe', 'pipe']})
}

async function exitCode(process: ChildProcess): Promise<number | null> {
  let stderr = ''
  process.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const [code] = (await once(process, 'exit')) as [number | null]
  if (code !== 0) throw new Error(`child exited with ${String(code)}: ${stderr}`)
  return code
}

describe('synchronized across processes', () => {
  let dir: string
  let lockDir: string
  let counterFile: string
  const children: ChildProcess[] = []

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steward-coordination-'))
    lockDir = join(dir, 'locks')
    counterFile = join(dir, 'counter')
    await writeFile(counterFile, '0')
  })

  afterEach(async () => {
    for (const process of children.splice(0)) process.kill('SIGKILL')
    await rm(dir, {recursive: true, force: true})
  })

  it('N processes incrementing a file M times under synchronized("counter") end at exactly N×M', async () => {
    const processes = 4
    const times = 25
    const started = Array.from({length: processes}, () => startChild(lockDir, counterFile, String(times)))
    children.push(...started)
    await Promise.all(started.map(exitCode))
    expect(Number(await readFile(counterFile, 'utf8'))).toBe(processes * times)
  })

  it('a lock held by a process that was killed is taken over without waiting for it to go stale', async () => {
    const holder = startChild(lockDir, counterFile, 'hold')
    children.push(holder)
    const [line] = (await once(holder.stdout!, 'data')) as [Buffer]
    expect(line.toString()).toBe('held\n')

    const locks = new LockManager({lockDir})
    await expect(locks.synchronized('counter', () => 1, {blocking: false})).rejects.toMatchObject({code: 'LOCK_ACQUIRE_FAILED', data: {reason: 'held', holder: {pid: holder.pid}}})
    holder.kill('SIGKILL')
    await once(holder, 'exit')
    const started = performance.now()
    await expect(locks.synchronized('counter', () => 'mine', {timeout: 5})).resolves.toBe('mine')
    // The default stale time is 10 s; a dead holder of this host is noticed at once.
    expect(performance.now() - started).toBeLessThan(2_000)
  })
})
