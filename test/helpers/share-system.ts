import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {apiRequester, apiUrl, type ApiHost} from './api-host.js'
import {callJson, startHost} from './rpc-hosts.js'
import {makeTestDir, writeConfig, type StewardProcess} from './steward-process.js'

/** A share record, as the scheduler and the share service answer it. */
export interface Share {
  id: string
  name: string | null
  size: number
  status: string
  statusReason: string | null
  host: string | null
  exportLocation: string | null
}

/** A pool, as the scheduler's getPools answers it. */
export interface Pool {
  name: string
  capabilities: {totalCapacityGb: number; freeCapacityGb: number; allocatedCapacityGb: number}
}

/** The system of issue 7 in real processes: host A runs the scheduler, host B the share service with two localfs backends. */
export interface ShareSystem {
  dir: string
  /** The shares directory of each backend. */
  roots: {fast: string; slow: string}
  scheduler: StewardProcess
  share: StewardProcess
  /** `steward call scheduler createShare`; fails the test if the call fails. */
  createShare(args: Record<string, unknown>): Promise<Share>
  /** Create a share and resolve once its backend has made it available. */
  createAvailable(size: number): Promise<Share>
  /** `steward call share <method> --server <backend host>`: the result, or the error. */
  callShare(method: string, shareId: string, server: string, args?: Record<string, unknown>): Promise<{result?: Share; error?: {code: string; message: string}}>
  pools(): Promise<Record<string, Pool['capabilities']>>
  /** The size recorded for a share on a backend. */
  quota(backend: 'fast' | 'slow', id: string): Promise<number>
  /** With `api`: requests to the shares API that host A serves. */
  api: ApiHost['request']
}

export interface ShareSystemOptions {
  /** More of steward.json. */
  config?: Record<string, unknown>
  /** GiB of each backend. @default {fast: 10, slow: 5} */
  capacity?: {fast: number; slow: number}
  /** Host A also serves the HTTP API with the shares routes (`api_pipeline` … `shares-api`). */
  api?: boolean
  /** The driver of each backend. @default share-localfs */
  driver?: string
  /** More environment for host A's process (options as `STEWARD_*` variables override steward.json's). */
  envA?: Record<string, string>
}

/**
 * Start the system on a fresh directory: backends `fast` (10 GiB) and `slow` (5 GiB), both
 * `share-localfs` under the test's directory, and resolve once the scheduler holds both reports.
 */
export async function startShareSystem({config = {}, capacity = {fast: 10, slow: 5}, api = false, driver = 'share-localfs', envA}: ShareSystemOptions = {}): Promise<ShareSystem> {
  const dir = await makeTestDir('steward-share-')
  const roots = {fast: path.join(dir, 'fast'), slow: path.join(dir, 'slow')}
  await writeConfig(dir, {
    report_interval: 1,
    periodic_fuzzy_delay: 0,
    share: {driver, backends: {fast: {root: roots.fast, capacity_gb: capacity.fast}, slow: {root: roots.slow, capacity_gb: capacity.slow}}},
    ...(api ? {api_listen_port: 0, api_pipeline: ['request-log', 'core', 'shares-api']} : {}),
    ...config,
  })
  const scheduler = await startHost(dir, 'A', api ? ['scheduler', 'api'] : ['scheduler'], envA)
  const share = await startHost(dir, 'B', ['share'])
  await Promise.all([scheduler.waitForOutput(/capabilities of B@fast accepted/), scheduler.waitForOutput(/capabilities of B@slow accepted/)])

  const request = api ? apiRequester(await apiUrl(dir, 'A')) : () => Promise.reject(new Error('start the system with {api: true}'))

  const createShare = async (args: Record<string, unknown>): Promise<Share> => {
    const outcome = await callJson<Share>(dir, 'scheduler', 'createShare', args)
    if (outcome.result === undefined) throw new Error(`createShare ${JSON.stringify(args)} failed: ${JSON.stringify(outcome.error)} ${outcome.stderr}`)
    return outcome.result
  }
  return {
    dir,
    roots,
    scheduler,
    share,
    createShare,
    async createAvailable(size) {
      const created = await createShare({size})
      if (created.status !== 'creating') throw new Error(`share of ${size} GiB not placed: ${created.statusReason}`)
      await share.waitForOutput(new RegExp(`share ${created.id} available`))
      return created
    },
    async callShare(method, shareId, server, args = {}) {
      const {result, error} = await callJson<Share>(dir, 'share', method, {shareId, ...args}, '--server', server)
      return {...(result === undefined ? {} : {result}), ...(error === undefined ? {} : {error})}
    },
    async pools() {
      const {result} = await callJson<Pool[]>(dir, 'scheduler', 'getPools')
      return Object.fromEntries(result!.map((pool) => [pool.name, pool.capabilities]))
    },
    async quota(backend, id) {
      return (JSON.parse(await readFile(path.join(roots[backend], '.quotas', `${id}.json`), 'utf8')) as {size: number}).size
    },
    api: request,
  }
}


/** A pattern matching this text literally. */
export const literally = (text: string): RegExp => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))

/**
 * Resolves when the process prints, from now on, a line matching the pattern (what it printed
 * before does not count). Start waiting before the action that causes it.
 */
export function nextOutput(process: StewardProcess, pattern: RegExp): Promise<void> {
  const from = process.output.length
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!pattern.test(process.output.slice(from))) return
      stop()
      resolve()
    }
    const exited = (): void => {
      stop()
      reject(new Error(`process exited before printing ${pattern}:\n${process.output.slice(from)}`))
    }
    const stop = (): void => {
      process.child.stdout!.off('data', check)
      process.child.stderr!.off('data', check)
      process.child.off('exit', exited)
    }
    // StewardProcess's own listeners come first, so `output` already holds the chunk here.
    process.child.stdout!.on('data', check)
    process.child.stderr!.on('data', check)
    process.child.once('exit', exited)
  })
}
