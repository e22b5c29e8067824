import {mkdtemp} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {Subscriber} from 'zeromq'
import {silentLogger, type LogRecord} from '../log/logger.js'
import {decodeFeedEvent, encodeFeedEvent} from './feed-protocol.js'
import {FeedPublisher} from './feed-publisher.js'
import type {FeedEvent, HostSnapshot} from './telemetry.js'

const snapshotValue: HostSnapshot = {at: '2030-01-01T00:00:00.000Z', host: {name: 'A', pid: 1, endpoint: 'ipc:///x.sock', uptimeSeconds: 1, rssBytes: 1, heapUsedBytes: 1, cpuPercent: 0}, services: []}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function publisher(options: {intervalMs?: number; maxLogLinesPerSecond?: number; backlogLines?: number} = {}): Promise<{feed: FeedPublisher; endpoint: string; snapshot: ReturnType<typeof vi.fn<() => Promise<HostSnapshot>>>}> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'steward-feed-'))
  const snapshot = vi.fn(async () => snapshotValue)
  const feed = new FeedPublisher({host: 'A', log: silentLogger, snapshot, ...options})
  const endpoint = await feed.bind(`ipc://${path.join(dir, 'A.feed.sock')}`)
  cleanups.push(() => feed.close())
  return {feed, endpoint, snapshot}
}

/** A SUB socket collecting decoded events; `next` awaits the next one that matches. */
function subscriber(endpoint: string, topics: string[]): {socket: Subscriber; events: FeedEvent[]; next: (match: (event: FeedEvent) => boolean) => Promise<FeedEvent>} {
  const socket = new Subscriber({linger: 0})
  socket.connect(endpoint)
  for (const topic of topics) socket.subscribe(topic)
  const events: FeedEvent[] = []
  const waiters: Array<{match: (event: FeedEvent) => boolean; resolve: (event: FeedEvent) => void}> = []
  void (async () => {
    try {
      while (!socket.closed) {
        const event = decodeFeedEvent(await socket.receive())
        if (event === undefined) continue
        events.push(event)
        for (const waiter of [...waiters]) {
          if (!waiter.match(event)) continue
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve(event)
        }
      }
    } catch {
      // closed
    }
  })()
  cleanups.push(() => socket.close())
  return {
    socket,
    events,
    next: (match) => {
      const seen = events.find(match)
      return seen === undefined ? new Promise((resolve) => waiters.push({match, resolve})) : Promise.resolve(seen)
    },
  }
}

/** A log record whose every field counts when it is read. */
function watchedRecord(): {record: LogRecord; reads: () => number} {
  let reads = 0
  const record = {} as LogRecord
  for (const key of ['time', 'level', 'message', 'fields'] as const) {
    Object.defineProperty(record, key, {
      get: () => {
        reads++
        return key === 'time' ? new Date() : key === 'fields' ? {} : key === 'level' ? 'info' : 'line'
      },
    })
  }
  return {record, reads: () => reads}
}

const logRecord = (message: string, time = new Date(), fields: Record<string, unknown> = {}): LogRecord => ({time, level: 'info', message, fields})

describe('FeedPublisher without subscribers', () => {
  it('builds no snapshot, reads no log line and runs no timer', async () => {
    const {feed, snapshot} = await publisher({intervalMs: 10})
    const {record, reads} = watchedRecord()
    for (let index = 0; index < 1000; index++) feed.logListener(record)
    feed.reloaded({host: 'A', binary: 'steward-probe'}, {trigger: 't', generation: 2, at: '', durationMs: 1, ok: true})
    // Twenty intervals pass: an idle feed does nothing in them.
    await sleep(200)
    expect(reads()).toBe(0)
    expect(snapshot).not.toHaveBeenCalled()
    expect(['snapshot', 'log', 'reload'].map((topic) => feed.wanted(topic as 'log'))).toEqual([false, false, false])
  })

  it('goes back to doing nothing when the last subscriber leaves', async () => {
    const {feed, endpoint, snapshot} = await publisher({intervalMs: 10})
    const sub = subscriber(endpoint, ['snapshot', 'log'])
    await sub.next((event) => event.type === 'snapshot')
    await vi.waitFor(() => expect(feed.wanted('log')).toBe(true))
    sub.socket.close()
    await vi.waitFor(() => expect(feed.wanted('snapshot') || feed.wanted('log')).toBe(false))
    const calls = snapshot.mock.calls.length
    const {record, reads} = watchedRecord()
    feed.logListener(record)
    await sleep(100)
    expect(snapshot.mock.calls.length).toBe(calls)
    expect(reads()).toBe(0)
  })
})

describe('FeedPublisher with subscribers', () => {
  it('sends a snapshot at once to a new subscriber, then every interval', async () => {
    const {endpoint, snapshot} = await publisher({intervalMs: 50})
    const sub = subscriber(endpoint, ['snapshot'])
    expect(await sub.next((event) => event.type === 'snapshot')).toEqual({type: 'snapshot', snapshot: snapshotValue})
    await vi.waitFor(() => expect(sub.events.length).toBeGreaterThanOrEqual(3))
    expect(snapshot.mock.calls.length).toBeGreaterThanOrEqual(3)
  })

  it('sends only the topics subscribed to: log lines with their fields, and reloads', async () => {
    const {feed, endpoint, snapshot} = await publisher()
    const sub = subscriber(endpoint, ['log', 'reload'])
    await vi.waitFor(() => expect(feed.wanted('reload')).toBe(true))
    const time = new Date('2030-01-01T00:00:00.000Z')
    feed.logListener(logRecord('first', time, {service: 'steward-probe@A', error: Object.assign(new Error('boom'), {code: 'X'})}))
    feed.reloaded({host: 'A', binary: 'steward-probe'}, {trigger: 'probe.ts', generation: 2, at: time.toISOString(), durationMs: 12, ok: true})
    expect(await sub.next((event) => event.type === 'log')).toEqual({
      type: 'log',
      line: {time: time.toISOString(), host: 'A', level: 'info', message: 'first', fields: {service: 'steward-probe@A', error: {message: 'boom', code: 'X'}}, seq: 1},
    })
    expect(await sub.next((event) => event.type === 'reload')).toEqual({
      type: 'reload',
      host: 'A',
      binary: 'steward-probe',
      record: {trigger: 'probe.ts', generation: 2, at: time.toISOString(), durationMs: 12, ok: true},
    })
    expect(snapshot).not.toHaveBeenCalled()
    // Fields JSON cannot carry do not lose the line.
    feed.logListener(logRecord('big', time, {count: 1n}))
    expect(await sub.next((event) => event.type === 'log' && event.line.message === 'big')).toMatchObject({line: {fields: {unserializable: expect.stringContaining('BigInt')}}})
  })

  it('sends at most the limit of log lines a second, and says how many it dropped', async () => {
    const {feed, endpoint} = await publisher({maxLogLinesPerSecond: 20})
    const sub = subscriber(endpoint, ['log'])
    await vi.waitFor(() => expect(feed.wanted('log')).toBe(true))
    const start = Date.parse('2030-01-01T00:00:00.000Z')
    for (let index = 0; index < 25; index++) feed.logListener(logRecord(`line ${index}`, new Date(start + index)))
    feed.logListener(logRecord('next second', new Date(start + 1000)))
    await sub.next((event) => event.type === 'log' && event.line.message === 'next second')
    const messages = sub.events.map((event) => (event.type === 'log' ? event.line.message : ''))
    expect(messages.slice(0, 20)).toEqual(Array.from({length: 20}, (_, index) => `line ${index}`))
    expect(messages[20]).toBe('the telemetry feed dropped 5 log line(s): it sends at most 20 a second')
    expect(sub.events[20]).toMatchObject({line: {level: 'warn', fields: {dropped: 5}}})
    expect(messages[21]).toBe('next second')
  })
})

describe('FeedPublisher backlog', () => {
  it('sends a new backlog subscriber the last lines logged, also while nobody listened, numbered on from the first', async () => {
    const {feed, endpoint} = await publisher({backlogLines: 3})
    const time = new Date('2030-01-01T00:00:00.000Z')
    for (let index = 1; index <= 4; index++) feed.logListener(logRecord(`line ${index}`, time))
    feed.logListener(logRecord('line 5', time, {count: 1n, error: new Error('boom')}))
    const sub = subscriber(endpoint, ['log', 'backlog'])
    const line = (seq: number, fields: Record<string, unknown> = {}) => ({time: time.toISOString(), host: 'A', level: 'info', message: `line ${seq}`, fields, seq})
    expect(await sub.next((event) => event.type === 'backlog')).toEqual({
      type: 'backlog',
      host: 'A',
      // Fields JSON cannot carry do not lose the line.
      lines: [line(3), line(4), line(5, {unserializable: expect.stringContaining('BigInt')})],
    })
    // Live lines go on from there.
    await vi.waitFor(() => expect(feed.wanted('log')).toBe(true))
    feed.logListener(logRecord('line 6', time))
    expect(await sub.next((event) => event.type === 'log')).toEqual({type: 'log', line: line(6)})
  })

  it('sends every backlog subscriber the backlog again when another subscribes, and none with backlogLines 0', async () => {
    const {feed, endpoint} = await publisher()
    feed.logListener(logRecord('before'))
    const first = subscriber(endpoint, ['backlog'])
    await first.next((event) => event.type === 'backlog')
    const second = subscriber(endpoint, ['backlog'])
    await second.next((event) => event.type === 'backlog')
    await vi.waitFor(() => expect(first.events.filter((event) => event.type === 'backlog')).toHaveLength(2))

    const none = await publisher({backlogLines: 0})
    none.feed.logListener(logRecord('before'))
    const third = subscriber(none.endpoint, ['backlog'])
    expect(await third.next((event) => event.type === 'backlog')).toEqual({type: 'backlog', host: 'A', lines: []})
  })
})

describe('the feed codec', () => {
  it('round-trips events and skips what is not a version-1 event of its topic', () => {
    const event: FeedEvent = {type: 'snapshot', snapshot: snapshotValue}
    const [topic, json] = encodeFeedEvent(event)
    expect(topic).toBe('snapshot')
    expect(JSON.parse(json)).toMatchObject({v: 1, type: 'snapshot'})
    expect(decodeFeedEvent([Buffer.from(topic), Buffer.from(json)])).toEqual(event)
    const bad = [
      [Buffer.from('log'), Buffer.from(json)],
      [Buffer.from('snapshot'), Buffer.from(json.replace('"v":1', '"v":2'))],
      [Buffer.from('snapshot'), Buffer.from('{')],
      [Buffer.from('snapshot')],
      [Buffer.from('log'), Buffer.from('{"v":1,"type":"log","line":{"time":1}}')],
    ]
    for (const frames of bad) expect(decodeFeedEvent(frames)).toBeUndefined()
  })

  it('reads a backlog, leaving out the lines it cannot read', () => {
    const line = {time: '2030-01-01T00:00:00.000Z', host: 'A', level: 'info', message: 'kept', fields: {}, seq: 7}
    const json = JSON.stringify({v: 1, type: 'backlog', host: 'A', lines: [line, {time: 1}, {...line, seq: 'x', fields: 3}]})
    const {seq: _seq, ...withoutSeq} = line
    expect(decodeFeedEvent([Buffer.from('backlog'), Buffer.from(json)])).toEqual({type: 'backlog', host: 'A', lines: [line, withoutSeq]})
    expect(decodeFeedEvent([Buffer.from('backlog'), Buffer.from('{"v":1,"type":"backlog","host":"A"}')])).toBeUndefined()
  })
})
