import {mkdtemp, readFile, stat} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {silentLogger} from '../log/logger.js'
import {acquireHostLock, pidFilePath, runningHostPid} from './host-lock.js'

describe('acquireHostLock', () => {
  it('writes the pid file, refuses a second claim of the name with HOST_ALREADY_RUNNING, and frees it on release', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'steward-host-lock-'))
    const lock = await acquireHostLock(stateDir, 'node@a/b', silentLogger)
    expect(lock.pidFile).toBe(pidFilePath(stateDir, 'node@a/b'))
    expect(path.basename(lock.pidFile)).toBe('node%40a%2Fb.pid')
    expect(await readFile(lock.pidFile, 'utf8')).toBe(`${process.pid}\n`)
    expect(await runningHostPid(stateDir, 'node@a/b')).toBe(process.pid)

    await expect(acquireHostLock(stateDir, 'node@a/b', silentLogger)).rejects.toMatchObject({code: 'HOST_ALREADY_RUNNING', data: {pid: process.pid}})
    // Another name is another claim.
    const other = await acquireHostLock(stateDir, 'other', silentLogger)
    await other.release()

    await lock.release()
    await expect(stat(lock.pidFile)).rejects.toMatchObject({code: 'ENOENT'})
    expect(await runningHostPid(stateDir, 'node@a/b')).toBeUndefined()
    const again = await acquireHostLock(stateDir, 'node@a/b', silentLogger)
    await again.release()
  })
})
