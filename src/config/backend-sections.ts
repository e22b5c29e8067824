import {StewardError} from '../errors/index.js'
import type {StewardConfig, TopicSection} from './load-config.js'

/** A backend name: it becomes part of a service host (`node1@fast`) and of pool names (`node1@fast#fast`). */
const BACKEND_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

/**
 * The backends configured for a topic, in the order of its `backends` section: none when the topic
 * runs as one service. Each backend runs as its own service, on host `<host>@<backend>` (Manila's
 * `enabled_share_backends`).
 *
 * @example
 * // {"share": {"driver": "share-localfs", "backends": {"fast": {"root": "/srv/a"}, "slow": {"root": "/srv/b"}}}}
 * backendNames(config, 'share') // ['fast', 'slow']
 */
export function backendNames(config: StewardConfig, topic: string): string[] {
  const backends = config.topics[topic]?.backends
  if (backends === undefined) return []
  if (!isPlainObject(backends)) {
    throw new StewardError('CONFIG_INVALID', `"${topic}.backends" must be an object of backend sections, such as {"fast": {"driver": "…"}}.`, {data: {key: `${topic}.backends`}})
  }
  for (const [name, section] of Object.entries(backends)) {
    if (!BACKEND_NAME.test(name)) {
      throw new StewardError('CONFIG_INVALID', `"${topic}.backends.${name}": a backend name is letters, digits, ".", "_" and "-" (at most 64), starting with a letter or digit.`, {data: {key: `${topic}.backends`}})
    }
    if (!isPlainObject(section)) {
      throw new StewardError('CONFIG_INVALID', `"${topic}.backends.${name}" must be an object (the backend's own options; {} for none).`, {data: {key: `${topic}.backends.${name}`}})
    }
  }
  return Object.keys(backends)
}

/**
 * The section a service's manager and drivers see: the topic's section without `backends`, and for
 * a backend, the backend's own options over it (so shared options are set once on the topic).
 */
export function serviceSection(config: StewardConfig, topic: string, backend?: string): TopicSection {
  const {backends, ...section} = config.topics[topic] ?? {}
  if (backend === undefined) return section
  const own = isPlainObject(backends) ? backends[backend] : undefined
  return {...section, ...(isPlainObject(own) ? own : {})}
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
