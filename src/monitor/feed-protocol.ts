import type {FeedEvent, TelemetryLogLine} from './telemetry.js'

/**
 * The telemetry feed, version 1 (docs/protocol.md, "Telemetry feed"). Each host publishes on a
 * ZeroMQ XPUB socket; every message has two frames:
 *
 *   topic  UTF-8: `snapshot`, `log`, `reload` or `backlog`, so a SUB socket can subscribe to what it wants
 *   event  UTF-8 JSON: the FeedEvent with `"v": 1`, e.g. {"v":1,"type":"log","line":{…}}
 */
export const FEED_VERSION = 1

export const FEED_TOPICS = ['snapshot', 'log', 'reload', 'backlog'] as const
export type FeedTopic = (typeof FEED_TOPICS)[number]

/** The two frames of an event. Throws what JSON.stringify throws (a cycle, a BigInt). */
export function encodeFeedEvent(event: FeedEvent): [string, string] {
  return [event.type, JSON.stringify({v: FEED_VERSION, ...event})]
}

/**
 * Read the frames of a feed message. Undefined for anything that is not a version-1 event whose
 * type matches its topic and whose main fields have the right types: a monitor skips it.
 */
export function decodeFeedEvent(frames: readonly Buffer[]): FeedEvent | undefined {
  if (frames.length !== 2) return undefined
  const topic = frames[0]!.toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(frames[1]!.toString('utf8'))
  } catch {
    return undefined
  }
  if (!isRecord(value) || value.v !== FEED_VERSION || value.type !== topic) return undefined
  switch (topic) {
    case 'snapshot': {
      const snapshot = value.snapshot
      if (!isRecord(snapshot) || typeof snapshot.at !== 'string' || !isRecord(snapshot.host) || typeof snapshot.host.name !== 'string' || !Array.isArray(snapshot.services)) return undefined
      if (!snapshot.services.every((service) => isRecord(service) && typeof service.host === 'string' && typeof service.binary === 'string' && isRecord(service.rpc))) return undefined
      return {type: 'snapshot', snapshot: snapshot as unknown as Extract<FeedEvent, {type: 'snapshot'}>['snapshot']}
    }
    case 'log': {
      const line = logLine(value.line)
      return line === undefined ? undefined : {type: 'log', line}
    }
    case 'reload': {
      const {host, binary, record} = value
      if (typeof host !== 'string' || typeof binary !== 'string' || !isRecord(record) || typeof record.ok !== 'boolean' || typeof record.generation !== 'number') return undefined
      return {type: 'reload', host, binary, record: record as unknown as Extract<FeedEvent, {type: 'reload'}>['record']}
    }
    case 'backlog': {
      const {host, lines} = value
      if (typeof host !== 'string' || !Array.isArray(lines)) return undefined
      // A line that cannot be read is left out, not the lines beside it.
      return {type: 'backlog', host, lines: lines.map(logLine).filter((line) => line !== undefined)}
    }
    default:
      return undefined
  }
}

function logLine(line: unknown): TelemetryLogLine | undefined {
  if (!isRecord(line) || typeof line.time !== 'string' || typeof line.host !== 'string' || typeof line.level !== 'string' || typeof line.message !== 'string') return undefined
  const {seq, ...rest} = line as unknown as TelemetryLogLine
  return {...rest, fields: isRecord(line.fields) ? line.fields : {}, ...(typeof seq === 'number' ? {seq} : {})}
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
