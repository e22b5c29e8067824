/**
 * Memory across hot reloads: a host process runs a plugin whose driver allocates 20 MiB when it
 * loads, and reloads it 100 times through the host topic. Each replaced generation's worker must
 * end and give its memory back: over 100 reloads the host's RSS may grow by less than 50 MB, and
 * its thread count must not grow. The count starts after a few reloads: the first ones also warm
 * the host up (code compiled, allocator arenas sized), which is no leak and, on a loaded machine,
 * took the measure from +30 MB to just over 50.
 */
import {readFile} from 'node:fs/promises'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createContext} from '../../src/rpc/context.js'
import type {ServiceSummary} from '../../src/service/host-topic.js'
import {reloadTestDir} from '../helpers/generation-hosts.js'
import {openTestClient, startHost} from '../helpers/rpc-hosts.js'
import {eventually, killLeftovers, type StewardProcess} from '../helpers/steward-process.js'

const RELOADS = 100
const WARM_UP_RELOADS = 5
const BALLAST_MB = 20

let dir: string
let host: StewardProcess
let client: Awaited<ReturnType<typeof openTestClient>>

beforeAll(async () => {
  ;({dir} = await reloadTestDir())
  host = await startHost(dir, 'A', ['reloadable'], {FIXTURE_BALLAST_MB: String(BALLAST_MB)})
  client = await openTestClient(dir)
})

afterAll(async () => {
  await client?.close()
  await killLeftovers()
})

const hostTopic = () => client.client.prepare({topic: 'host', server: 'A', timeout: 60})
const reload = () => hostTopic().call(createContext('vitest'), 'reload_service', {topic: 'reloadable'}) as Promise<ServiceSummary>
const label = () => client.client.prepare({topic: 'reloadable', timeout: 10}).call(createContext('vitest'), 'label') as Promise<string>

/** The service's generation status, from the host topic's `status`. */
async function generationStatus(): Promise<NonNullable<ServiceSummary['generation']>> {
  const {services} = (await hostTopic().call(createContext('vitest'), 'status')) as {services: ServiceSummary[]}
  const generation = services.find((service) => service.topic === 'reloadable')?.generation
  if (generation === undefined || generation === null) throw new Error('the host reports no generation for reloadable')
  return generation
}

/** Wait until every replaced generation has ended (its worker terminated), as the host reports it. */
async function retiredGenerationsEnded(): Promise<void> {
  await eventually(async () => ((await generationStatus()).retiring === 0 ? true : undefined), 'the replaced generations to end')
}

/** VmRSS (bytes) and Threads of the host process. */
async function hostProcessStatus(): Promise<{rss: number; threads: number}> {
  const status = await readFile(`/proc/${host.child.pid}/status`, 'utf8')
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)
    if (match === null) throw new Error(`no ${name} in /proc/${host.child.pid}/status`)
    return Number(match[1])
  }
  return {rss: field('VmRSS') * 1024, threads: field('Threads')}
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`

describe('memory across hot reloads', () => {
  it(`grows the host's RSS by less than 50 MB over ${RELOADS} reloads of a plugin that allocates ${BALLAST_MB} MiB at load, and ends every replaced worker`, async () => {
    expect(await label()).toMatch(/-heavy$/)

    for (let index = 0; index < WARM_UP_RELOADS; index++) await reload()
    await retiredGenerationsEnded()
    const first = await hostProcessStatus()

    for (let index = 0; index < RELOADS; index++) await reload()
    await retiredGenerationsEnded()
    const last = await hostProcessStatus()

    const status = await generationStatus()
    const total = WARM_UP_RELOADS + RELOADS
    const measured = `host RSS after reload ${WARM_UP_RELOADS}: ${mb(first.rss)}, after reload ${total}: ${mb(last.rss)}; threads ${first.threads} → ${last.threads}`
    expect(status).toMatchObject({state: 'serving', generation: total + 1, reloads: total, retiring: 0})
    expect(await label()).toMatch(/^v1-a-heavy$/)
    expect(last.rss - first.rss, measured).toBeLessThan(50e6)
    // Every replaced worker ended. One thread either way: a spare starts its module-hooks
    // thread (tsx, the SDK's resolution) a moment after it boots.
    expect(last.threads, measured).toBeLessThanOrEqual(first.threads + 1)
  }, 300_000)
})
