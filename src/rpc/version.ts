import {StewardError} from '../errors/index.js'

/** An RPC API version, `major.minor`. */
export interface Version {
  major: number
  minor: number
}

const VERSION = /^(\d{1,6})\.(\d{1,6})$/

export function parseVersion(text: string): Version {
  const match = VERSION.exec(text)
  if (match === null) throw new StewardError('INVALID_TARGET', `"${text}" is not an RPC version: expected major.minor, such as 1.3.`, {data: {version: text}})
  return {major: Number(match[1]), minor: Number(match[2])}
}

export function isVersion(text: unknown): text is string {
  return typeof text === 'string' && VERSION.test(text)
}

/**
 * Whether a server of version `served` can answer a request for `requested` (oslo.messaging's
 * rule): majors equal and the requested minor not above the served one.
 */
export function isCompatible(served: string, requested: string): boolean {
  const server = parseVersion(served)
  const request = parseVersion(requested)
  return server.major === request.major && request.minor <= server.minor
}

/** Whether a client capped at `cap` may send a message of version `version`. */
export function canSendVersion(cap: string | undefined, version: string | undefined): boolean {
  if (cap === undefined) return true
  if (version === undefined) return false
  return isCompatible(cap, version)
}
