/**
 * Issue 7, parts 1–2, in real processes and real directories: host A runs the scheduler, host B
 * the share service with two share-localfs backends (`fast`, 10 GiB; `slow`, 5 GiB) under the
 * test's own directory. Shares are created through the scheduler's RPC, as `steward call` does.
 */
import {readdir, stat} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {createContext} from '../../src/rpc/context.js'
import {callJson, cast, openTestClient, startHost} from '../helpers/rpc-hosts.js'
import {literally, nextOutput, startShareSystem, type Share} from '../helpers/share-system.js'
import {eventually, killLeftovers, runCli, runJson} from '../helpers/steward-process.js'

afterEach(killLeftovers)

const isDirectory = (dir: string) => stat(dir).then((found) => found.isDirectory(), () => false)

describe('the scheduler and the share service', () => {
  it('places each share on the backend with the most free space, as a directory of the recorded size', async () => {
    const system = await startShareSystem()
    // fast has 10 GiB free, slow 5: fast. Then fast 8, slow 5: fast. Then fast 4, slow 5: slow.
    const first = await system.createAvailable(2)
    const second = await system.createAvailable(4)
    const third = await system.createAvailable(3)
    expect([first.host, second.host, third.host]).toEqual(['B@fast#localfs', 'B@fast#localfs', 'B@slow#localfs'])

    const {result: onSlow} = await callJson<Array<{id: string; status: string; size: number; exportLocation: string}>>(system.dir, 'share', 'listShares', {}, '--server', 'B@slow')
    expect(onSlow).toEqual([expect.objectContaining({id: third.id, status: 'available', size: 3, exportLocation: path.join(system.roots.slow, third.id)})])
    expect(await isDirectory(path.join(system.roots.fast, first.id))).toBe(true)
    expect(await isDirectory(path.join(system.roots.fast, second.id))).toBe(true)
    expect(await isDirectory(path.join(system.roots.slow, third.id))).toBe(true)
    expect([await system.quota('fast', first.id), await system.quota('fast', second.id), await system.quota('slow', third.id)]).toEqual([2, 4, 3])
    expect(await system.pools()).toEqual({
      'B@fast#localfs': {totalCapacityGb: 10, freeCapacityGb: 4, allocatedCapacityGb: 6, reservedPercentage: 0},
      'B@slow#localfs': {totalCapacityGb: 5, freeCapacityGb: 2, allocatedCapacityGb: 3, reservedPercentage: 0},
    })
  })

  it('spreads shares over both backends as their free space evens out, and deleting them all restores the capacity', async () => {
    const system = await startShareSystem()
    const {client, close} = await openTestClient(system.dir)
    try {
      const ctx = () => createContext('vitest')
      const scheduler = client.prepare({topic: 'scheduler', version: '1.0'})
      const placed: Share[] = []
      for (let index = 0; index < 10; index += 1) {
        const share = (await scheduler.call(ctx(), 'createShare', {size: 1})) as Share
        await system.share.waitForOutput(new RegExp(`share ${share.id} available`))
        placed.push(share)
      }
      // fast (10 GiB) takes every share until both have 5 free; then they alternate, fast first on a tie.
      expect(placed.map((share) => share.host!.split('@')[1]!.split('#')[0])).toEqual(['fast', 'fast', 'fast', 'fast', 'fast', 'fast', 'slow', 'fast', 'slow', 'fast'])
      expect((await readdir(system.roots.fast)).filter((name) => !name.startsWith('.')).sort()).toEqual(placed.filter((share) => share.host!.includes('@fast')).map((share) => share.id).sort())
      expect((await readdir(system.roots.slow)).filter((name) => !name.startsWith('.'))).toHaveLength(2)

      const restored = Promise.all([
        nextOutput(system.scheduler, /capabilities of B@fast accepted[^\n]*"freeCapacityGb":10,"allocatedCapacityGb":0/),
        nextOutput(system.scheduler, /capabilities of B@slow accepted[^\n]*"freeCapacityGb":5,"allocatedCapacityGb":0/),
      ])
      await Promise.all(placed.map((share) => client.prepare({topic: 'share', server: share.host!.split('#')[0]!, version: '1.0'}).call(ctx(), 'deleteShare', {shareId: share.id})))
      await restored
      expect(await readdir(system.roots.fast)).toEqual(['.quotas'])
      expect(await readdir(system.roots.slow)).toEqual(['.quotas'])
      expect(await system.pools()).toEqual({
        'B@fast#localfs': {totalCapacityGb: 10, freeCapacityGb: 10, allocatedCapacityGb: 0, reservedPercentage: 0},
        'B@slow#localfs': {totalCapacityGb: 5, freeCapacityGb: 5, allocatedCapacityGb: 0, reservedPercentage: 0},
      })
    } finally {
      await close()
    }
  })

  it('fills both backends exactly with shares asked for all at once: none is placed where it does not fit', async () => {
    const system = await startShareSystem()
    const {client, close} = await openTestClient(system.dir)
    try {
      const scheduler = client.prepare({topic: 'scheduler', version: '1.0'})
      // 15 GiB of shares for 15 GiB of capacity, while the backends' reports come and go.
      const shares = (await Promise.all(Array.from({length: 15}, () => scheduler.call(createContext('vitest'), 'createShare', {size: 1})))) as Share[]
      expect(shares.map((share) => share.status)).toEqual(Array.from({length: 15}, () => 'creating'))
      await Promise.all(shares.map((share) => system.share.waitForOutput(new RegExp(`share ${share.id} available`))))
      const on = (backend: string) => shares.filter((share) => share.host === `B@${backend}#localfs`).length
      expect([on('fast'), on('slow')]).toEqual([10, 5])
      expect((await system.createShare({size: 1})).statusReason).toMatch(/^No valid host was found: B@fast#localfs: 0 GiB free, 1 GiB asked \(CapacityFilter\)/)
    } finally {
      await close()
    }
  })

  it('loses no share while the share service reloads its plugin code in a new generation', async () => {
    const system = await startShareSystem()
    const {client, close} = await openTestClient(system.dir)
    try {
      const scheduler = client.prepare({topic: 'scheduler', version: '1.0'})
      const create = () => scheduler.call(createContext('vitest'), 'createShare', {size: 1}) as Promise<Share>
      const first = Array.from({length: 5}, create)
      const reload = runCli(['services', 'reload', 'share', '--host', 'B'], {cwd: system.dir})
      const during = Array.from({length: 5}, create)
      expect((await reload).code).toBe(0)
      const shares = await Promise.all([...first, ...during, create()])
      await Promise.all(shares.map((share) => system.share.waitForOutput(new RegExp(`share ${share.id} available`))))
      const listed = await Promise.all(['B@fast', 'B@slow'].map(async (server) => (await callJson<Share[]>(system.dir, 'share', 'listShares', {}, '--server', server)).result!))
      expect(listed.flat().map((share) => share.status)).toEqual(Array.from({length: 11}, () => 'available'))
    } finally {
      await close()
    }
  })

  it('extends, shrinks and deletes a share; the backend\'s capacity follows, and a failed change leaves the share as it was', async () => {
    const system = await startShareSystem()
    const share = await system.createAvailable(2)
    const reported = (free: number) => nextOutput(system.scheduler, new RegExp(`capabilities of B@fast accepted[^\\n]*"freeCapacityGb":${free},`))

    let report = reported(5)
    expect((await system.callShare('extendShare', share.id, 'B@fast', {newSize: 5})).result).toMatchObject({status: 'available', size: 5})
    expect(await system.quota('fast', share.id)).toBe(5)
    await report

    const tooBig = await system.callShare('extendShare', share.id, 'B@fast', {newSize: 11})
    expect(tooBig.error).toMatchObject({code: 'SHARE_CAPACITY_EXCEEDED'})
    const {result: kept} = await callJson<Array<{size: number; status: string; statusReason: string}>>(system.dir, 'share', 'listShares', {}, '--server', 'B@fast')
    expect(kept).toEqual([expect.objectContaining({size: 5, status: 'available', statusReason: expect.stringMatching(/extend to 11 GiB failed/)})])

    report = reported(9)
    expect((await system.callShare('shrinkShare', share.id, 'B@fast', {newSize: 1})).result).toMatchObject({status: 'available', size: 1, statusReason: null})
    await report
    expect((await system.callShare('shrinkShare', share.id, 'B@fast', {newSize: 1})).error).toMatchObject({code: 'SHARE_INVALID_SIZE'})

    // Only the backend holding a share changes it.
    expect((await system.callShare('deleteShare', share.id, 'B@slow')).error).toMatchObject({code: 'SHARE_WRONG_HOST'})
    report = reported(10)
    expect((await system.callShare('deleteShare', share.id, 'B@fast')).result).toMatchObject({status: 'deleted'})
    await report
    expect(await isDirectory(path.join(system.roots.fast, share.id))).toBe(false)
    expect((await system.callShare('deleteShare', share.id, 'B@fast')).error).toMatchObject({code: 'SHARE_NOT_FOUND'})
    expect((await system.pools())['B@fast#localfs']).toMatchObject({freeCapacityGb: 10, allocatedCapacityGb: 0})
  })

  it('puts a share no backend can hold now in error, saying why for each backend, and refuses a bad size or one no backend could ever hold', async () => {
    const system = await startShareSystem()
    const placed = await system.createAvailable(8)
    const share = await system.createShare({size: 6, name: 'big'})
    expect(share).toMatchObject({name: 'big', status: 'error', host: null})
    expect(share.statusReason).toBe(
      'No valid host was found: B@fast#localfs: 2 GiB free, 6 GiB asked (CapacityFilter); B@slow#localfs: 5 GiB free, 6 GiB asked (CapacityFilter).',
    )
    // Larger than any backend even empty: a mistake of the request, with no record left.
    const {error: huge} = await callJson(system.dir, 'scheduler', 'createShare', {size: 11, name: 'huge'})
    expect(huge).toMatchObject({code: 'SHARE_CAPACITY_EXCEEDED', message: 'No share backend can hold 11 GiB: the largest pool holds 10 GiB when empty.'})
    const inZone = await system.createShare({size: 1, availabilityZone: 'elsewhere'})
    expect(inZone.statusReason).toMatch(/^No valid host was found: B@fast#localfs: zone nova, not elsewhere \(AvailabilityZoneFilter\)/)

    for (const size of [0, -1, 1.5, '2']) {
      const {error} = await callJson(system.dir, 'scheduler', 'createShare', {size})
      expect(error, JSON.stringify(size)).toMatchObject({code: 'SHARE_INVALID_SIZE'})
    }
    // Only the share placed is on a backend: the refused ones left nothing there.
    const {result: shares} = await callJson<unknown[]>(system.dir, 'share', 'listShares', {}, '--server', 'B@fast')
    expect(shares).toEqual([expect.objectContaining({id: placed.id, size: 8})])
  })

  it('does not choose a disabled backend, and chooses it again once it is enabled and has reported', async () => {
    const system = await startShareSystem()
    const disable = await runCli(['services', 'disable', '--host', 'B@fast', '--binary', 'steward-share', '--reason', 'maintenance'], {cwd: system.dir})
    expect(disable.code).toBe(0)
    const forgotten = nextOutput(system.scheduler, /forgot B@fast: its service is down, stopped or disabled/)
    expect((await system.createAvailable(1)).host).toBe('B@slow#localfs')
    await forgotten

    const enable = await runCli(['services', 'enable', '--host', 'B@fast', '--binary', 'steward-share'], {cwd: system.dir})
    expect(enable.code).toBe(0)
    // The next decision finds it up and enabled but unknown, and asks it to report (that decision
    // may or may not see the report, depending on when it lands); the one after counts it.
    const back = nextOutput(system.scheduler, /capabilities of B@fast accepted/)
    await system.createAvailable(1)
    await back
    expect((await system.createAvailable(1)).host).toBe('B@fast#localfs')
  })

  it('ignores a capability report older than the one it holds', async () => {
    const system = await startShareSystem()
    const old = '2000-01-01T00:00:00.000Z'
    const stale = {backendName: 'slow', driver: 'share-localfs', pools: [{name: 'localfs', totalCapacityGb: 1000, freeCapacityGb: 1000, allocatedCapacityGb: 0, reservedPercentage: 0}]}
    const ignored = nextOutput(system.scheduler, literally(`capabilities of B@slow ignored: the report of ${old} is stale`))
    await cast(system.dir, 'scheduler', 'updateServiceCapabilities', {serviceName: 'share', host: 'B@slow', capabilities: stale, timestamp: old})
    await ignored
    expect((await system.pools())['B@slow#localfs']).toMatchObject({totalCapacityGb: 5, freeCapacityGb: 5})
    expect((await system.createAvailable(1)).host).toBe('B@fast#localfs')
  })

  it('puts new shares in error once the share host is down, and ensures the existing ones when it is back', async () => {
    const system = await startShareSystem({config: {service_down_time: 5}})
    const kept = await system.createAvailable(2)
    system.share.kill('SIGKILL')
    await system.share.exited
    // Only time makes a killed service read down: ask until its heartbeats are older than service_down_time.
    await eventually(async () => {
      const services = await runJson<Array<{host: string; state: string}>>(['services', 'list', '--topic', 'share'], {cwd: system.dir})
      return services.every((service) => service.state === 'down') ? true : undefined
    }, 'the killed backends to read down')
    const failed = await system.createShare({size: 1})
    expect(failed).toMatchObject({status: 'error', statusReason: 'No valid host was found: no share backend that is up and enabled has reported its capabilities.'})

    const back = nextOutput(system.scheduler, /capabilities of B@fast accepted/)
    const restarted = await startHost(system.dir, 'B', ['share'])
    await restarted.waitForOutput(/\[steward-share@B@fast\] ensured 1 shares/)
    expect(await isDirectory(path.join(system.roots.fast, kept.id))).toBe(true)
    await back
    const again = await system.createShare({size: 1})
    expect(again.status).toBe('creating')
    await restarted.waitForOutput(new RegExp(`share ${again.id} available`))
  })
})
