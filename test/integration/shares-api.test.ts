/**
 * Issue 7, part 3, through real HTTP: host A runs the API (with the `shares-api` routes) and the
 * scheduler, host B the share service with two share-localfs backends in the test's directory.
 */
import {mkdir, readdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {startHost} from '../helpers/rpc-hosts.js'
import {nextOutput, startShareSystem, type Pool, type Share, type ShareSystem} from '../helpers/share-system.js'
import {eventually, killLeftovers, makeTestDir, repoRoot, runCli, runJson} from '../helpers/steward-process.js'

afterEach(killLeftovers)

/** POST /v2/shares and wait until the backend has made it. */
async function createAvailable(system: ShareSystem, size: number, backendHost = system.share): Promise<Share> {
  const {status, body} = await system.api('/v2/shares', {method: 'POST', json: {size}})
  const {share} = body as {share: Share}
  expect(status, JSON.stringify(body)).toBe(202)
  expect(share.status).toBe('creating')
  await backendHost.waitForOutput(new RegExp(`share ${share.id} available`))
  return share
}

/** The directories of shares under a backend's root (its quota records live in `.quotas`). */
async function shareDirectories(root: string): Promise<string[]> {
  return (await readdir(root).catch(() => [])).filter((name) => name !== '.quotas').sort()
}

async function quotaRecords(root: string): Promise<string[]> {
  return (await readdir(path.join(root, '.quotas')).catch(() => [])).map((name) => name.replace(/\.json$/, '')).sort()
}

async function pools(system: ShareSystem): Promise<Record<string, Pool['capabilities']>> {
  const {status, body} = await system.api('/v2/scheduler-stats/pools')
  expect(status).toBe(200)
  return Object.fromEntries((body as {pools: Pool[]}).pools.map((pool) => [pool.name, pool.capabilities]))
}

describe('the shares API', () => {
  it('creates 20 shares spread over both backends by free space, each a directory of its size, and deleting them restores the capacity', async () => {
    const system = await startShareSystem({api: true, capacity: {fast: 30, slow: 20}})
    const created: Share[] = []
    for (let index = 0; index < 20; index++) created.push(await createAvailable(system, 1 + (index % 2)))

    const {body} = await system.api('/v2/shares')
    const listed = (body as {shares: Share[]}).shares
    expect(listed.map((share) => share.id).sort()).toEqual(created.map((share) => share.id).sort())
    expect(listed.every((share) => share.status === 'available')).toBe(true)
    const onFast = listed.filter((share) => share.host === 'B@fast#localfs')
    const onSlow = listed.filter((share) => share.host === 'B@slow#localfs')
    expect(onFast.length).toBeGreaterThan(0)
    expect(onSlow.length).toBeGreaterThan(0)
    expect(onFast.length + onSlow.length).toBe(20)
    // The weigher evens the free space out: 30 GiB of shares leave 10 on each backend, give or take a share.
    const allocated = (shares: Share[]) => shares.reduce((sum, share) => sum + share.size, 0)
    expect(Math.abs(30 - allocated(onFast) - (20 - allocated(onSlow)))).toBeLessThanOrEqual(2)
    expect(await shareDirectories(system.roots.fast)).toEqual(onFast.map((share) => share.id).sort())
    expect(await shareDirectories(system.roots.slow)).toEqual(onSlow.map((share) => share.id).sort())
    for (const share of onFast) expect(await system.quota('fast', share.id)).toBe(share.size)
    for (const share of onSlow) {
      expect(await system.quota('slow', share.id)).toBe(share.size)
      expect((await system.api(`/v2/shares/${share.id}`)).body).toEqual({share: expect.objectContaining({id: share.id, exportLocation: path.join(system.roots.slow, share.id)})})
    }
    expect(await pools(system)).toMatchObject({'B@fast#localfs': {allocatedCapacityGb: allocated(onFast)}, 'B@slow#localfs': {allocatedCapacityGb: allocated(onSlow)}})

    for (const share of created) {
      const deleted = await system.api(`/v2/shares/${share.id}`, {method: 'DELETE'})
      expect(deleted.status).toBe(200)
      expect(deleted.body).toEqual({share: expect.objectContaining({id: share.id, status: 'deleted'})})
    }
    expect(await shareDirectories(system.roots.fast)).toEqual([])
    expect(await shareDirectories(system.roots.slow)).toEqual([])
    expect((await system.api('/v2/shares')).body).toEqual({shares: []})
    // Each delete reports the capacity as it lands; the scheduler takes the reports as they come.
    await eventually(async () => {
      const now = await pools(system)
      return now['B@fast#localfs']?.freeCapacityGb === 30 && now['B@slow#localfs']?.freeCapacityGb === 20 ? true : undefined
    }, 'the capacity to be restored in /v2/scheduler-stats/pools')
    expect(await pools(system)).toEqual({
      'B@fast#localfs': {totalCapacityGb: 30, freeCapacityGb: 30, allocatedCapacityGb: 0, reservedPercentage: 0},
      'B@slow#localfs': {totalCapacityGb: 20, freeCapacityGb: 20, allocatedCapacityGb: 0, reservedPercentage: 0},
    })
  })

  it('extends and shrinks a share through its action, the recorded size following', async () => {
    const system = await startShareSystem({api: true})
    const share = await createAvailable(system, 2)
    const backend = share.host === 'B@fast#localfs' ? 'fast' : 'slow'

    const extended = await system.api(`/v2/shares/${share.id}/action`, {method: 'POST', json: {extend: {new_size: 4}}})
    expect(extended).toMatchObject({status: 200, body: {share: {id: share.id, size: 4, status: 'available'}}})
    expect(await system.quota(backend, share.id)).toBe(4)
    const shrunk = await system.api(`/v2/shares/${share.id}/action`, {method: 'POST', json: {shrink: {new_size: 1}}})
    expect(shrunk).toMatchObject({status: 200, body: {share: {size: 1, status: 'available'}}})
    expect(await system.quota(backend, share.id)).toBe(1)
  })

  it('answers bad requests with a clear 4xx and leaves no directory or record behind', async () => {
    const system = await startShareSystem({api: true})
    const kept = await createAvailable(system, 1)
    const post = (json: unknown) => system.api('/v2/shares', {method: 'POST', json})

    for (const size of [0, -1, 1.5, '2', null]) {
      const {status, body} = await post({size})
      expect(status, JSON.stringify(size)).toBe(400)
      expect(body).toMatchObject({code: 'SHARE_INVALID_SIZE', message: expect.stringMatching(/^size must be a whole number of GiB, at least 1; found /)})
    }
    expect(await post({name: 'no size'})).toMatchObject({status: 400, body: {code: 'SHARE_INVALID_SIZE'}})
    expect(await post({size: 1, color: 'blue'})).toMatchObject({status: 400, body: {code: 'SHARE_REQUEST_INVALID', message: 'Unknown field "color": a share takes size, name and availability_zone.'}})
    expect(await post([1])).toMatchObject({status: 400, body: {code: 'SHARE_REQUEST_INVALID'}})
    expect(await post({size: 1, availability_zone: 7})).toMatchObject({status: 400, body: {code: 'SHARE_INVALID_ZONE'}})
    expect(await post({size: 11})).toMatchObject({status: 400, body: {code: 'SHARE_CAPACITY_EXCEEDED', message: 'No share backend can hold 11 GiB: the largest pool holds 10 GiB when empty.'}})
    expect(await system.api('/v2/shares', {method: 'POST', body: 'size=1', headers: {'content-type': 'application/x-www-form-urlencoded'}})).toMatchObject({status: 415})

    const unknown = '00000000-0000-4000-8000-000000000000'
    expect(await system.api(`/v2/shares/${unknown}`)).toMatchObject({status: 404, body: {code: 'SHARE_NOT_FOUND', message: `No share ${unknown}.`}})
    expect(await system.api(`/v2/shares/${unknown}`, {method: 'DELETE'})).toMatchObject({status: 404, body: {code: 'SHARE_NOT_FOUND'}})
    expect(await system.api(`/v2/shares/${unknown}/action`, {method: 'POST', json: {extend: {new_size: 2}}})).toMatchObject({status: 404, body: {code: 'SHARE_NOT_FOUND'}})

    const action = (json: unknown) => system.api(`/v2/shares/${kept.id}/action`, {method: 'POST', json})
    expect(await action({extend: {new_size: 1}})).toMatchObject({status: 400, body: {code: 'SHARE_INVALID_SIZE'}})
    expect(await action({extend: {new_size: 99}})).toMatchObject({status: 400, body: {code: 'SHARE_CAPACITY_EXCEEDED'}})
    expect(await action({shrink: {new_size: 0}})).toMatchObject({status: 400, body: {code: 'SHARE_INVALID_SIZE'}})
    expect(await action({grow: {new_size: 2}})).toMatchObject({status: 400, body: {code: 'SHARE_REQUEST_INVALID'}})
    expect(await action({extend: 2})).toMatchObject({status: 400, body: {code: 'SHARE_REQUEST_INVALID'}})

    const doomed = await createAvailable(system, 1)
    expect(await system.api(`/v2/shares/${doomed.id}`, {method: 'DELETE'})).toMatchObject({status: 200, body: {share: {status: 'deleted'}}})
    expect(await system.api(`/v2/shares/${doomed.id}`, {method: 'DELETE'})).toMatchObject({status: 404, body: {code: 'SHARE_NOT_FOUND'}})

    // Only the kept share is left: listed, a directory and a quota record, at its size.
    expect((await system.api('/v2/shares')).body).toEqual({shares: [expect.objectContaining({id: kept.id, size: 1, status: 'available'})]})
    const roots = [system.roots.fast, system.roots.slow]
    expect((await Promise.all(roots.map(shareDirectories))).flat()).toEqual([kept.id])
    expect((await Promise.all(roots.map(quotaRecords))).flat()).toEqual([kept.id])
  })

  it('avoids a disabled backend, answers in error once the share host is down, and schedules again once it is back', async () => {
    const system = await startShareSystem({api: true, config: {service_down_time: 5}})
    const disable = await runCli(['services', 'disable', '--host', 'B@fast', '--binary', 'steward-share', '--reason', 'maintenance'], {cwd: system.dir})
    expect(disable.code).toBe(0)
    for (let index = 0; index < 3; index++) expect((await createAvailable(system, 1)).host).toBe('B@slow#localfs')

    system.share.kill('SIGKILL')
    await system.share.exited
    // Only time makes a killed service read down.
    await eventually(async () => {
      const services = await runJson<Array<{state: string}>>(['services', 'list', '--topic', 'share'], {cwd: system.dir})
      return services.every((service) => service.state === 'down') ? true : undefined
    }, 'the killed backends to read down')
    const failed = await system.api('/v2/shares', {method: 'POST', json: {size: 1, name: 'while down'}})
    expect(failed.status).toBe(202)
    expect(failed.body).toEqual({share: expect.objectContaining({name: 'while down', status: 'error', host: null, statusReason: expect.stringMatching(/^No valid host was found: /)})})
    // A share in error has no data: it is deleted with no share service up.
    const {share} = failed.body as {share: Share}
    expect(await system.api(`/v2/shares/${share.id}`, {method: 'DELETE'})).toMatchObject({status: 200, body: {share: {status: 'deleted'}}})

    const back = nextOutput(system.scheduler, /capabilities of B@slow accepted/)
    const restarted = await startHost(system.dir, 'B', ['share'])
    await restarted.waitForOutput(/\[steward-share@B@slow\] ensured 3 shares/)
    await back
    expect((await createAvailable(system, 1, restarted)).host).toBe('B@slow#localfs')
  })

  it('keeps creating shares with no failed request while the localfs driver is reloaded', async () => {
    // The backends' driver comes from a plugin of the test's own: saving it reloads both services.
    const {system, pluginEntry} = await startWithReloadableDriver()
    const reloaded = Promise.all([
      system.share.waitForOutput(/\[steward-share@B@fast\] reloaded: generation 2 serves/),
      system.share.waitForOutput(/\[steward-share@B@slow\] reloaded: generation 2 serves/),
    ])
    const requests: Array<Promise<Awaited<ReturnType<ShareSystem['api']>>>> = []
    let reloading = true
    void reloaded.finally(() => (reloading = false))
    await writeFile(pluginEntry, `${reloadablePlugin}\n// saved again\n`)
    while (reloading || requests.length < 10) {
      requests.push(system.api('/v2/shares', {method: 'POST', json: {size: 1}}))
      await requests.at(-1)
    }
    const answers = await Promise.all(requests)
    expect(answers.filter((answer) => answer.status !== 202).map((answer) => answer.text)).toEqual([])
    const shares = answers.map((answer) => (answer.body as {share: Share}).share)
    expect(shares.filter((share) => share.status !== 'creating')).toEqual([])
    await Promise.all(shares.map((share) => system.share.waitForOutput(new RegExp(`share ${share.id} available`))))
    expect((await Promise.all([system.roots.fast, system.roots.slow].map(shareDirectories))).flat().sort()).toEqual(shares.map((share) => share.id).sort())
  })
})

/** A plugin that provides the bundled localfs driver under a name of its own, `share-localfs-hot`. */
const reloadablePlugin = [
  "import {definePlugin} from 'steward'",
  `import {LocalfsShareDriver} from ${JSON.stringify(path.join(repoRoot, 'plugins', 'share', 'drivers', 'localfs.js'))}`,
  "export default definePlugin({name: 'fixture-share-hot', steward: '^0.1.0', drivers: {'share-localfs-hot': LocalfsShareDriver}})",
].join('\n')

async function startWithReloadableDriver(): Promise<{system: ShareSystem; pluginEntry: string}> {
  const pluginDirs = await makeTestDir('steward-share-hot-')
  const pluginDir = path.join(pluginDirs, 'share-hot')
  await mkdir(pluginDir, {recursive: true})
  await writeFile(path.join(pluginDir, 'package.json'), JSON.stringify({name: 'fixture-share-hot', version: '1.0.0', type: 'module', main: 'index.ts', steward: {drivers: ['share-localfs-hot']}}))
  const pluginEntry = path.join(pluginDir, 'index.ts')
  await writeFile(pluginEntry, reloadablePlugin)
  const system = await startShareSystem({api: true, driver: 'share-localfs-hot', capacity: {fast: 100, slow: 100}, config: {plugin_dirs: [pluginDirs]}})
  return {system, pluginEntry}
}
