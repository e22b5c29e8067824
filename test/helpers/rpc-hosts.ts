import path from 'node:path'
import {loadConfig} from '../../src/config/load-config.js'
import {silentLogger} from '../../src/log/logger.js'
import type {StewardRpcClient} from '../../src/rpc/client.js'
import {createRpcClient} from '../../src/rpc/rpc-client-factory.js'
import {openStore} from '../../src/store/index.js'
import type {StateStore} from '../../src/store/types.js'
import {makeTestDir, repoRoot, runCli, StewardProcess, writeConfig} from './steward-process.js'

/**
 * The transports every RPC acceptance test runs over. Each tcp host binds port 0, so the system
 * picks a free port, and the host records the one it got in the store's hosts table.
 */
export const transports = [
  ['ipc', {}],
  ['tcp', {rpc_listen: 'tcp://127.0.0.1:0'}],
] as const satisfies ReadonlyArray<readonly [string, Record<string, unknown>]>

export type Transport = (typeof transports)[number][1]

export const fixturePlugins = path.join(repoRoot, 'test', 'fixtures', 'plugins')

/**
 * A test directory whose steward.json loads the rpc-probe fixture, runs the `scheduler` topic
 * with its probe-scheduler and the `reporter` topic with its probe-reporter, and heartbeats every
 * second.
 */
export async function rpcTestDir(transport: Transport, extra: Record<string, unknown> = {}): Promise<string> {
  const dir = await makeTestDir('steward-rpc-')
  await writeConfig(dir, {
    plugin_dirs: [fixturePlugins],
    report_interval: 1,
    periodic_fuzzy_delay: 0,
    scheduler: {manager: 'probe-scheduler'},
    reporter: {manager: 'probe-reporter'},
    ...transport,
    ...extra,
  })
  return dir
}

/**
 * Start a host process running topics and resolve once all of them listen; env adds to the
 * environment it gets.
 */
export async function startHost(dir: string, host: string, topics: readonly string[] = ['probe'], env?: Record<string, string>): Promise<StewardProcess> {
  const child = new StewardProcess(['start', ...topics, '--host', host], {cwd: dir, ...(env === undefined ? {} : {env})})
  await child.waitForOutput(new RegExp(`host ${host} running`))
  return child
}

/** What `steward … --json` printed, with its exit status: `{result}` or `{error}`. */
export interface JsonOutcome<T = unknown> {
  code: number | null
  result?: T
  error?: {name?: string; code: string; message: string; data: Record<string, unknown>; remoteName?: string; retryable?: boolean}
  stderr: string
}

/** Run `steward <args> --json`, failing or not, and parse what it printed on stdout. */
export async function stewardJson<T = unknown>(dir: string, args: readonly string[]): Promise<JsonOutcome<T>> {
  const {code, stdout, stderr} = await runCli([...args, '--json'], {cwd: dir})
  let parsed: Omit<JsonOutcome<T>, 'code' | 'stderr'>
  try {
    parsed = JSON.parse(stdout) as Omit<JsonOutcome<T>, 'code' | 'stderr'>
  } catch {
    throw new Error(`steward ${args.join(' ')} exited ${code} without JSON on stdout:\n${stdout}\n${stderr}`)
  }
  return {code, stderr, ...parsed}
}

/** `steward call <topic> <method> [args] --json` with more flags. */
export function callJson<T = unknown>(dir: string, topic: string, method: string, args?: Record<string, unknown>, ...flags: string[]): Promise<JsonOutcome<T>> {
  return stewardJson<T>(dir, ['call', topic, method, ...(args === undefined ? [] : [JSON.stringify(args)]), ...flags])
}

/** `steward cast …`, which must succeed (a cast reports nothing from the service). */
export async function cast(dir: string, topic: string, method: string, args: Record<string, unknown>, ...flags: string[]): Promise<void> {
  const result = await runCli(['cast', topic, method, JSON.stringify(args), ...flags], {cwd: dir})
  if (result.code !== 0) throw new Error(`steward cast ${topic} ${method} exited ${result.code}: ${result.stderr}`)
}

/** An RPC client in the test process, as a CLI command builds one, on the test directory's store. */
export async function openTestClient(dir: string): Promise<{client: StewardRpcClient; store: StateStore; close: () => Promise<void>}> {
  const config = loadConfig({cwd: dir, env: {}, flags: {host: 'vitest'}})
  const store = await openStore({stateDir: config.options.state_dir})
  const {client, close} = createRpcClient({config, store, log: silentLogger})
  return {
    client,
    store,
    close: async () => {
      await close()
      await store.close()
    },
  }
}
