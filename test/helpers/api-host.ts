import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import type {HostView} from '../../src/service/service-state.js'
import {fixturePlugins} from './rpc-hosts.js'
import {makeTestDir, runJson, StewardProcess, writeConfig} from './steward-process.js'

/** A host process serving the HTTP API on a port the system picked, and what a test needs to reach it. */
export interface ApiHost {
  dir: string
  host: StewardProcess
  /** The URL recorded in the host's record (`steward hosts`). */
  url: string
  /** fetch() a path of the API; JSON bodies are sent as given (a string is sent verbatim). */
  request(pathname: string, init?: RequestInit & {json?: unknown; token?: string}): Promise<ApiAnswer>
}

export interface ApiAnswer {
  status: number
  headers: Headers
  /** The parsed JSON body; undefined when there is none. */
  body: unknown
  text: string
}

export const API_TOKEN = 'test-token-0123456789abcdef'

/**
 * Start `steward start <topics> api` in a fresh test directory with api_listen_port 0 (and the
 * test's other options), wait until it runs, and read the API's URL from the state store.
 */
export async function startApiHost(options: {config?: Record<string, unknown>; topics?: readonly string[]; token?: boolean; host?: string} = {}): Promise<ApiHost> {
  const dir = await makeTestDir('steward-api-')
  const name = options.host ?? 'apihost'
  const config: Record<string, unknown> = {plugin_dirs: [fixturePlugins], report_interval: 1, periodic_fuzzy_delay: 0, api_listen_port: 0, ...options.config}
  if (options.token === true) {
    await writeFile(path.join(dir, 'api.token'), `${API_TOKEN}\n`, {mode: 0o600})
    config.api_token_file = 'api.token'
  }
  await writeConfig(dir, config)
  const host = new StewardProcess(['start', ...(options.topics ?? ['probe']), 'api', '--host', name], {cwd: dir})
  await host.waitForOutput(new RegExp(`host ${name} running`))
  const url = await apiUrl(dir, name).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}:\n${host.output}`)
  })
  return {
    dir,
    host,
    url,
    request: apiRequester(url),
  }
}

/** The URL of the API a host serves, from its record (`steward hosts`). */
export async function apiUrl(dir: string, host: string): Promise<string> {
  const [view] = (await runJson<HostView[]>(['hosts'], {cwd: dir})).filter((candidate) => candidate.name === host)
  const url = view?.apis.find((api) => api.name === 'api')?.url
  if (url === undefined) throw new Error(`host ${host} recorded no API endpoint`)
  return url
}

/** fetch() paths of the API at url; JSON bodies are sent as given (a string is sent verbatim). */
export function apiRequester(url: string): ApiHost['request'] {
  return async (pathname, init = {}) => {
    const {json, token, ...rest} = init
    const headers = new Headers(rest.headers)
    if (json !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json')
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`)
    const response = await fetch(`${url}${pathname}`, {...rest, headers, ...(json === undefined ? {} : {body: typeof json === 'string' ? json : JSON.stringify(json)})})
    const text = await response.text()
    let body: unknown
    try {
      body = text === '' ? undefined : JSON.parse(text)
    } catch {
      body = undefined
    }
    return {status: response.status, headers: response.headers, body, text}
  }
}
