import {createHash} from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import type {CoreOptions} from '../config/options.js'
import {StewardError, describeError} from '../errors/index.js'

/** The names an HTTP API runs under; each has its `<name>_listen`, `<name>_listen_port`… options. */
export const apiNames = ['api'] as const
export type ApiName = (typeof apiNames)[number]

export function isApiName(name: string): name is ApiName {
  return (apiNames as readonly string[]).includes(name)
}

/** The settings of one API, from its `<name>_*` options. */
export interface ApiSettings {
  name: string
  listen: string
  port: number
  workers: number
  /** The token file, or undefined for none. */
  tokenFile: string | undefined
  maxBodySize: number
  pipeline: string[]
}

export const MIN_TOKEN_LENGTH = 16

export function apiSettings(options: CoreOptions, name: ApiName): ApiSettings {
  return {
    name,
    listen: options[`${name}_listen`],
    port: options[`${name}_listen_port`],
    workers: options[`${name}_workers`],
    tokenFile: options[`${name}_token_file`] === '' ? undefined : options[`${name}_token_file`],
    maxBodySize: options[`${name}_max_body_size`],
    pipeline: options[`${name}_pipeline`],
  }
}

/** Whether an address only this machine can reach: 127.0.0.0/8, ::1 (also IPv4-mapped), `localhost`. */
export function isLoopback(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (bare === 'localhost') return true
  if (net.isIPv4(bare)) return bare.startsWith('127.')
  if (net.isIPv6(bare)) return bare === '::1' || /^::ffff:127\./.test(bare)
  return false
}

/** A token as the API checks it: its SHA-256, compared in constant time with the request's. */
export interface ApiToken {
  digest: Buffer
}

/**
 * Read the token (when configured) and refuse settings that would expose the API: beyond loopback
 * a token is required. Checked before anything listens, so a host refuses to start rather than
 * serve unprotected.
 */
export function readApiToken(settings: ApiSettings): ApiToken | undefined {
  const option = `${settings.name}_token_file`
  if (settings.tokenFile === undefined) {
    if (isLoopback(settings.listen)) return undefined
    throw new StewardError('API_TOKEN_REQUIRED', `The HTTP API would listen on ${settings.listen}, beyond loopback, without a token.`, {
      data: {listen: settings.listen},
      suggestions: [`Write a token to a file (openssl rand -hex 32 > api.token; chmod 600 api.token) and set ${option} to it.`, `Or listen on 127.0.0.1 (${settings.name}_listen).`],
    })
  }
  let text: string
  try {
    text = fs.readFileSync(settings.tokenFile, 'utf8')
  } catch (error) {
    throw new StewardError('API_TOKEN_FILE_INVALID', `Cannot read the API token file ${settings.tokenFile} (${option}): ${describeError(error)}`, {
      data: {file: settings.tokenFile},
      suggestions: [`Create it (openssl rand -hex 32 > ${settings.tokenFile}), or fix ${option}.`],
    })
  }
  const token = text.trim()
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw new StewardError('API_TOKEN_FILE_INVALID', `The API token in ${settings.tokenFile} (${option}) must be one word of at least ${MIN_TOKEN_LENGTH} characters; it has ${token.length}.`, {
      data: {file: settings.tokenFile},
      suggestions: [`Write a longer one: openssl rand -hex 32 > ${settings.tokenFile}`],
    })
  }
  return {digest: digestOf(token)}
}

export function digestOf(token: string): Buffer {
  return createHash('sha256').update(token).digest()
}
