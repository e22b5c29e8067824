// The bundled share system (issue 7) as the benchmark runs it: api, scheduler and share service in
// one host process or over two, on a fresh state directory with two backends.
import {execFile} from 'node:child_process'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {promisify} from 'node:util'
import {LowdbBackend} from '../../src/store/index.js'
import {BenchError, root} from '../rpc/children.js'
import {HostProcess} from './host-process.js'

export const LAYOUTS = ['one host', 'two hosts'] as const
export type Layout = (typeof LAYOUTS)[number]
export const DRIVERS = ['share-memory', 'share-localfs'] as const
export type Driver = (typeof DRIVERS)[number]

/**
 * What each backend can hold: far more than a run creates at 1 GiB a share. share-localfs pools
 * are capped by their filesystem too: its size, less the sizes of the shares placed.
 */
const CAPACITY_GB = 1_000_000
const BACKENDS = ['fast', 'slow'] as const

export interface ShareSystemOptions {
  dir: string
  layout: Layout
  driver: Driver
  /** Deleted share records written into the store before the hosts start (a store with a past). */
  deletedRecords: number
  /** Node options of the host processes (--cpu-prof …). */
  nodeArgs: readonly string[]
  readyTimeoutMs: number
}

export interface ShareSystem {
  /** Where `POST /v2/shares` goes, from the host's record (`steward hosts --json`). */
  apiUrl: string
  /** The process running the share service: it logs `share <id> available`. */
  shareHost: HostProcess
  hosts: readonly HostProcess[]
  stateFile: string
  stop(): Promise<void>
}

/**
 * Start the system in dir: one host `A` with `scheduler share api`, or `A` with `scheduler api` and
 * `B` with `share`. Resolves once the API serves and the scheduler holds both backends' reports.
 */
export async function startShareSystem(options: ShareSystemOptions): Promise<ShareSystem> {
  const {dir, layout, driver, nodeArgs, readyTimeoutMs} = options
  const shareHostName = layout === 'one host' ? 'A' : 'B'
  await writeFile(
    path.join(dir, 'steward.json'),
    JSON.stringify({
      state_dir: 'state',
      report_interval: 1,
      periodic_fuzzy_delay: 0,
      api_listen_port: 0,
      api_pipeline: ['request-log', 'core', 'shares-api'],
      share: {driver, backends: Object.fromEntries(BACKENDS.map((name) => [name, {root: path.join(dir, name), capacity_gb: CAPACITY_GB}]))},
    }),
  )
  const stateFile = path.join(dir, 'state', 'steward.json')
  if (options.deletedRecords > 0) await writeDeletedShares(stateFile, shareHostName, driver, options.deletedRecords)

  const hosts: HostProcess[] = []
  const stop = async (): Promise<void> => {
    // The share host first, as an operator would: the scheduler then sees its services stop.
    for (const host of [...hosts].reverse()) await host.stop()
  }
  try {
    const scheduler = new HostProcess(dir, 'A', layout === 'one host' ? ['scheduler', 'share', 'api'] : ['scheduler', 'api'], nodeArgs)
    hosts.push(scheduler)
    await scheduler.waitForLine(/host A running/, readyTimeoutMs)
    const shareHost = layout === 'one host' ? scheduler : new HostProcess(dir, shareHostName, ['share'], nodeArgs)
    if (shareHost !== scheduler) hosts.push(shareHost)
    await shareHost.waitForLine(new RegExp(`host ${shareHostName} running`), readyTimeoutMs)
    for (const backend of BACKENDS) await scheduler.waitForLine(new RegExp(`capabilities of ${shareHostName}@${backend} accepted`), readyTimeoutMs)
    return {apiUrl: await apiUrl(dir, 'A'), shareHost, hosts, stateFile, stop}
  } catch (error) {
    await stop()
    throw error
  }
}

/** The API's URL as `steward hosts --json` shows it (`apis[].url` of the host's record). */
async function apiUrl(dir: string, host: string): Promise<string> {
  const {stdout} = await promisify(execFile)(process.execPath, [path.join(root, 'bin', 'run.js'), 'hosts', '--json'], {cwd: dir})
  const views = JSON.parse(stdout) as Array<{name: string; apis: Array<{name: string; url: string}>}>
  const url = views.find((view) => view.name === host)?.apis.find((api) => api.name === 'api')?.url
  if (url === undefined) throw new BenchError(`host ${host} recorded no API: ${stdout}`)
  return url
}

/**
 * Write `count` share records, `deleted`, placed on the backends of shareHost: what a store holds
 * after that many shares came and went (records of deleted shares stay, as in Manila). One
 * commit through the store's own backend, so the file is what a host would have written.
 */
async function writeDeletedShares(stateFile: string, shareHostName: string, driver: Driver, count: number): Promise<void> {
  const backend = new LowdbBackend({file: stateFile, lockStaleMs: 10_000, lockTimeoutMs: 15_000, onWarning: (message) => console.error(message)})
  const pool = driver === 'share-memory' ? 'memory' : 'localfs'
  const at = new Date().toISOString()
  await backend.mutate((data) => {
    const shares = ((data.plugins['steward-plugin-share'] ??= {}).shares ??= [])
    for (let index = 0; index < count; index++) {
      const id = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`
      const host = `${shareHostName}@${BACKENDS[index % BACKENDS.length]}#${pool}`
      shares.push({id, name: null, size: 1, status: 'deleted', statusReason: null, availabilityZone: 'nova', host, exportLocation: null, createdAt: at, updatedAt: at})
    }
  })
  await backend.close()
}
