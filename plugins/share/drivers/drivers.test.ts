import {mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {silentLogger} from '../../../src/log/logger.js'
import type {ShareDriver} from '../share-driver.js'
import {LocalfsShareDriver} from './localfs.js'
import {MemoryShareDriver} from './memory.js'

// In vitest a bare 'steward' finds the repository's steward.json; plugin code gets the SDK, as in a host.
vi.mock('steward', () => import('../../../src/index.js'))

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, {recursive: true, force: true})))
})

async function tempRoot(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'steward-localfs-'))
  dirs.push(dir)
  return path.join(dir, 'shares')
}

const share = (id: string, size: number) => ({id, size, pool: 'p'})

/** What every share driver does, given one with 10 GiB of capacity. */
const families: Array<[string, () => Promise<ShareDriver>]> = [
  ['share-memory', async () => new MemoryShareDriver({config: {capacity_gb: 10}, log: silentLogger, host: 'h@m', stateDir: '/nonexistent-state'})],
  ['share-localfs', async () => new LocalfsShareDriver({config: {root: await tempRoot(), capacity_gb: 10}, log: silentLogger, host: 'h@l', stateDir: '/nonexistent-state'})],
]

describe.each(families)('%s', (_name, make) => {
  it('counts what it creates, extends, shrinks and deletes against its capacity', async () => {
    const driver = await make()
    await driver.doSetup()
    expect(driver.initialized).toBe(true)
    await driver.createShare(share('s1', 3))
    await driver.createShare(share('s2', 4))
    const free = async () => (await driver.getShareStats()).pools[0]!
    expect(await free()).toMatchObject({totalCapacityGb: 10, freeCapacityGb: 3, allocatedCapacityGb: 7})
    await driver.extendShare(share('s1', 3), 6)
    expect(await free()).toMatchObject({freeCapacityGb: 0, allocatedCapacityGb: 10})
    await driver.shrinkShare(share('s1', 6), 2)
    await driver.deleteShare(share('s2', 4))
    expect(await free()).toMatchObject({freeCapacityGb: 8, allocatedCapacityGb: 2})
  })

  it('refuses to create or extend past its capacity, and keeps what it had', async () => {
    const driver = await make()
    await driver.doSetup()
    await driver.createShare(share('s1', 8))
    await expect(driver.createShare(share('s2', 3))).rejects.toMatchObject({code: 'SHARE_CAPACITY_EXCEEDED', data: {free: 2, size: 3}})
    await expect(driver.extendShare(share('s1', 8), 11)).rejects.toMatchObject({code: 'SHARE_CAPACITY_EXCEEDED'})
    expect((await driver.getShareStats()).pools[0]).toMatchObject({freeCapacityGb: 2, allocatedCapacityGb: 8})
  })
})

describe('share-localfs', () => {
  it('makes each share a directory under its root, with its size recorded, and removes both on delete', async () => {
    const root = await tempRoot()
    const driver = new LocalfsShareDriver({config: {root, capacity_gb: 10}, log: silentLogger, host: 'h@l', stateDir: '/nonexistent-state'})
    await driver.doSetup()
    const location = await driver.createShare(share('s1', 3))
    expect(location).toBe(path.join(root, 's1'))
    expect((await stat(location)).isDirectory()).toBe(true)
    expect(JSON.parse(await readFile(path.join(root, '.quotas', 's1.json'), 'utf8'))).toEqual({id: 's1', size: 3})
    await driver.deleteShare(share('s1', 3))
    await expect(stat(location)).rejects.toMatchObject({code: 'ENOENT'})
    await expect(stat(path.join(root, '.quotas', 's1.json'))).rejects.toMatchObject({code: 'ENOENT'})
  })

  it('takes its capacity from the filesystem when no capacity_gb caps it', async () => {
    const root = await tempRoot()
    const driver = new LocalfsShareDriver({config: {root}, log: silentLogger, host: 'h@l', stateDir: '/nonexistent-state'})
    await driver.doSetup()
    const fs = await import('node:fs/promises').then((module) => module.statfs(root))
    const pool = (await driver.getShareStats()).pools[0]!
    expect(pool.totalCapacityGb).toBe(Math.floor((fs.blocks * fs.bsize) / 2 ** 30))
    expect(pool.freeCapacityGb).toBeGreaterThan(0)
    expect(pool.freeCapacityGb).toBeLessThanOrEqual(pool.totalCapacityGb)
  })

  it('refuses to shrink a share below the data it holds', async () => {
    const root = await tempRoot()
    const driver = new LocalfsShareDriver({config: {root, capacity_gb: 10}, log: silentLogger, host: 'h@l', stateDir: '/nonexistent-state'})
    await driver.doSetup()
    const location = await driver.createShare(share('s1', 2))
    // A sparse file stands for data: its size counts, its blocks need not exist.
    const handle = await import('node:fs/promises').then((module) => module.open(path.join(location, 'data'), 'w'))
    await handle.truncate(2 ** 30 + 1)
    await handle.close()
    await expect(driver.shrinkShare(share('s1', 2), 1)).rejects.toMatchObject({code: 'SHARE_SHRINK_DATA_LOSS'})
    expect(JSON.parse(await readFile(path.join(root, '.quotas', 's1.json'), 'utf8')).size).toBe(2)
  })

  it('reads the recorded sizes back when it starts again, and ensure brings back a lost directory', async () => {
    const root = await tempRoot()
    const first = new LocalfsShareDriver({config: {root, capacity_gb: 10}, log: silentLogger, host: 'h@l', stateDir: '/nonexistent-state'})
    await first.doSetup()
    await first.createShare(share('s1', 4))
    await rm(path.join(root, 's1'), {recursive: true})
    const second = new LocalfsShareDriver({config: {root, capacity_gb: 10}, log: silentLogger, host: 'h@l', stateDir: '/nonexistent-state'})
    await second.doSetup()
    expect((await second.getShareStats()).pools[0]).toMatchObject({allocatedCapacityGb: 4, freeCapacityGb: 6})
    expect(await second.ensureShare(share('s1', 4))).toBe(path.join(root, 's1'))
    expect((await stat(path.join(root, 's1'))).isDirectory()).toBe(true)
  })

  it('refuses no root, takes a relative one from the state directory with {host} the backend\'s host, and refuses ids that would leave the root', async () => {
    await expect(new LocalfsShareDriver({config: {root: ''}, log: silentLogger, host: 'h@l', stateDir: '/nonexistent-state'}).doSetup()).rejects.toThrow('share-localfs needs "root", the directory for the shares; found ""')
    await expect(new LocalfsShareDriver({config: {}, log: silentLogger, host: 'h@l', stateDir: '/nonexistent-state'}).doSetup()).rejects.toThrow(/needs "root"/)
    const base = await tempRoot()
    const relative = new LocalfsShareDriver({config: {root: 'shares/{host}'}, log: silentLogger, host: 'h@l', stateDir: base})
    await relative.doSetup()
    expect(await relative.createShare(share('s1', 1))).toBe(path.join(base, 'shares', 'h@l', 's1'))
    const driver = new LocalfsShareDriver({config: {root: await tempRoot()}, log: silentLogger, host: 'h@l', stateDir: '/nonexistent-state'})
    await driver.doSetup()
    await expect(driver.createShare(share('../escape', 1))).rejects.toMatchObject({code: 'SHARE_NOT_FOUND'})
  })
})
