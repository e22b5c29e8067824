import {mkdtemp} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {silentLogger} from '../log/logger.js'
import {openMemoryStore} from '../store/open-store.js'
import type {HostRecord} from '../store/types.js'
import {FeedPublisher} from './feed-publisher.js'
import {MonitorClient} from './monitor-client.js'
import {telemetry} from '../../test/helpers/monitor-model.js'
import type {HostSnapshot, MonitorModel} from './telemetry.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A host as the store records it, with a real feed publishing snapshots of one probe service. */
async function feedHost(name: string, calls: number, intervalMs = 50): Promise<{record: HostRecord; feed: FeedPublisher}> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'steward-monitor-client-'))
  const snapshot = async (): Promise<HostSnapshot> => ({
    at: new Date().toISOString(),
    host: {name, pid: 1, endpoint: `ipc://${dir}/${name}.sock`, uptimeSeconds: 1, rssBytes: 1, heapUsedBytes: 1, cpuPercent: 0},
    services: [telemetry(name, 'probe', {rpc: {...telemetry(name, 'probe').rpc, calls}})],
  })
  const feed = new FeedPublisher({host: name, log: silentLogger, snapshot, intervalMs})
  const feedEndpoint = await feed.bind(`ipc://${path.join(dir, `${name}.feed.sock`)}`)
  cleanups.push(() => feed.close())
  const now = new Date().toISOString()
  return {record: {name, endpoint: `ipc://${dir}/${name}.sock`, feedEndpoint, publicKey: null, pid: 1, version: '0.1.0', startedAt: now, updatedAt: now, stoppedAt: null}, feed}
}

async function open(store: ReturnType<typeof openMemoryStore>, logLimit = 1000, hosts?: string[]): Promise<MonitorClient> {
  const client = await MonitorClient.open({store, downTimeSeconds: 60, refreshMs: 50, notifyMs: 10, logLimit, ...(hosts === undefined ? {} : {hosts})})
  cleanups.push(() => client.close())
  return client
}

const calls = (model: MonitorModel, host: string): number | null => model.services.find((service) => service.host === host)?.telemetry?.rpc.calls ?? null

describe('MonitorClient', () => {
  it('joins the store\'s services with each host\'s snapshot, and hosts that appear later', async () => {
    const store = openMemoryStore()
    const a = await feedHost('A', 5)
    await store.putHost(a.record)
    for (const host of ['A', 'B', 'C']) await store.findOrCreateService({host, binary: 'steward-probe', topic: 'probe', zone: 'nova', disabled: false})
    const client = await open(store)

    const first = await client.snapshotOnce({timeoutMs: 5000})
    expect(first.hosts.map((host) => [host.record.name, host.telemetry?.name ?? null])).toEqual([['A', 'A']])
    // B and C have records but no host (yet): no telemetry.
    expect([calls(first, 'A'), calls(first, 'B'), calls(first, 'C')]).toEqual([5, null, null])

    // B starts: the client joins its feed at the next re-read, and tells its listeners.
    const seen: MonitorModel[] = []
    client.subscribe((model) => seen.push(model))
    const b = await feedHost('B', 7)
    await store.putHost(b.record)
    await vi.waitFor(() => expect(calls(seen.at(-1)!, 'B')).toBe(7), {timeout: 5000})
    expect(calls(client.current(), 'A')).toBe(5)

    // A stops cleanly: its telemetry goes at once, whatever its last snapshot says.
    await store.updateHost('A', {stoppedAt: new Date().toISOString()})
    await vi.waitFor(() => expect(client.current().hosts.find((host) => host.record.name === 'A')).toMatchObject({state: 'stopped', telemetry: null}), {timeout: 5000})
    expect(calls(client.current(), 'A')).toBeNull()
  })

  it('keeps the newest log lines up to its limit, oldest first', async () => {
    const store = openMemoryStore()
    const a = await feedHost('A', 0)
    await store.putHost(a.record)
    const client = await open(store, 3)
    await client.snapshotOnce()
    const time = new Date()
    for (let index = 1; index <= 5; index++) a.feed.logListener({time, level: 'info', message: `line ${index}`, fields: {}})
    await vi.waitFor(() => expect(client.current().logs.map((line) => line.message)).toEqual(['line 3', 'line 4', 'line 5']), {timeout: 5000})
  })

  it('shows what hosts logged before it subscribed, in time order, and each line once when another monitor subscribes', async () => {
    const store = openMemoryStore()
    const a = await feedHost('A', 0)
    const b = await feedHost('B', 0)
    const at = (second: number): Date => new Date(Date.parse('2030-01-01T00:00:00.000Z') + second * 1000)
    a.feed.logListener({time: at(1), level: 'info', message: 'A started', fields: {}})
    b.feed.logListener({time: at(2), level: 'info', message: 'B started', fields: {}})
    // Two lines alike but for their number are two lines.
    for (let index = 0; index < 2; index++) a.feed.logListener({time: at(3), level: 'warn', message: 'A ticks', fields: {}})
    for (const host of [a, b]) await store.putHost(host.record)
    const client = await open(store)
    const messages = (): string[] => client.current().logs.map((line) => line.message)
    // A host sends its backlog before its first snapshot.
    await client.snapshotOnce({timeoutMs: 5000})
    expect(messages()).toEqual(['A started', 'B started', 'A ticks', 'A ticks'])

    a.feed.logListener({time: at(4), level: 'info', message: 'A live', fields: {}})
    await vi.waitFor(() => expect(messages()).toContain('A live'), {timeout: 5000})
    // A second monitor makes both hosts send their backlogs again, to this one too.
    let backlogs = 0
    client.onEvent((event) => void (event.type === 'backlog' && backlogs++))
    await open(store)
    await vi.waitFor(() => expect(backlogs).toBe(2), {timeout: 5000})
    expect(messages()).toEqual(['A started', 'B started', 'A ticks', 'A ticks', 'A live'])
  })

  it('takes log lines into the model without rebuilding its hosts and services within a second, and rebuilds them after', async () => {
    const store = openMemoryStore()
    // One snapshot, when the client subscribes; then only what the test logs.
    const a = await feedHost('A', 3, 60_000)
    await store.putHost(a.record)
    await store.findOrCreateService({host: 'A', binary: 'steward-probe', topic: 'probe', zone: 'nova', disabled: false})
    let now = Date.now()
    const client = await MonitorClient.open({store, downTimeSeconds: 60, refreshMs: 60_000, notifyMs: 10, clock: () => new Date(now)})
    cleanups.push(() => client.close())
    await vi.waitFor(() => expect(calls(client.current(), 'A')).toBe(3), {timeout: 5000})
    const built = client.current()
    const seen: MonitorModel[] = []
    client.subscribe((model) => seen.push(model))

    a.feed.logListener({time: new Date(now), level: 'info', message: 'first', fields: {}})
    await vi.waitFor(() => expect(seen.at(-1)?.logs.map((line) => line.message)).toContain('first'), {timeout: 5000})
    const withLine = seen.at(-1)!
    expect(withLine.services).toBe(built.services)
    expect(withLine.hosts).toBe(built.hosts)
    expect(withLine.at).toBe(built.at)

    // A second on, the ages have moved: everything is built again.
    now += 1000
    a.feed.logListener({time: new Date(now), level: 'info', message: 'second', fields: {}})
    await vi.waitFor(() => expect(seen.at(-1)?.logs.map((line) => line.message)).toContain('second'), {timeout: 5000})
    expect(seen.at(-1)!.services).not.toBe(built.services)
    expect(seen.at(-1)!.at).not.toBe(built.at)
    expect(calls(seen.at(-1)!, 'A')).toBe(3)
  })

  it('watches only the hosts named, with their services on every backend', async () => {
    const store = openMemoryStore()
    for (const name of ['A', 'B']) await store.putHost((await feedHost(name, 1)).record)
    for (const host of ['A', 'A@lvm', 'B', 'AB']) await store.findOrCreateService({host, binary: 'steward-probe', topic: 'probe', zone: 'nova', disabled: false})
    const client = await open(store, 1000, ['A'])
    const model = await client.snapshotOnce({timeoutMs: 5000})
    expect(model.hosts.map((host) => host.record.name)).toEqual(['A'])
    expect(model.services.map((service) => service.host).sort()).toEqual(['A', 'A@lvm'])
  })
})
