import {mkdir, mkdtemp, rm, symlink, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {loadConfig} from '../config/load-config.js'
import type {LogLevel} from '../config/options.js'
import {createLogger, type LogRecord} from '../log/logger.js'
import {createContext, type PrepareOptions} from '../rpc/context.js'
import {createRpcClient} from '../rpc/rpc-client-factory.js'
import {Host} from '../service/host.js'
import {openStore} from '../store/index.js'
import {LogWaiters} from './log-waiters.js'

export interface TestHostOptions {
  /** The topics to run, each served by the manager of that name (or `<topic>.manager` of `config`). */
  topics: readonly string[]
  /**
   * Plugin folders to load (each a folder whose package.json has a `steward` field), beside the
   * bundled plugins.
   */
  plugins?: readonly string[]
  /**
   * Configuration as in steward.json: options (`report_interval`…) and topic sections
   * (`{"clock": {"driver": "system-clock"}}`). The state directory is the test host's own.
   * `STEWARD_*` environment variables are not read, so a test runs the same everywhere.
   * @default {periodic_fuzzy_delay: 0, rpc_response_timeout: 10}: periodic tasks run as soon as the
   * host has started, and a call that gets no answer fails within 10 s
   */
  config?: Record<string, unknown>
  /** @default 'test-host' */
  host?: string
  /** Records at this level and above are kept in `logs` (and printed with `print`). @default 'debug' */
  logLevel?: LogLevel
  /** Print the host's log lines on stderr, for debugging a test. @default false */
  print?: boolean
}

/** Where and how a test call goes: as `steward call`, without the topic. */
export type TestCallOptions = Omit<PrepareOptions, 'topic' | 'fanout'>

/** A real host running in this process, on a state directory of its own. */
export interface TestHost {
  /** The host itself (its `services`, their `state`). */
  readonly host: Host
  readonly name: string
  /** The temporary directory holding the state file, the configuration and the plugin links; removed by `stop`. */
  readonly dir: string
  /** Every log record of the host so far. */
  readonly logs: readonly LogRecord[]
  /** Call an RPC method of a service, over ZeroMQ as another process would, and return its result. */
  call<T = unknown>(topic: string, method: string, args?: Record<string, unknown>, options?: TestCallOptions): Promise<T>
  /** Cast to a service (no reply); with `fanout`, to every live service of the topic. */
  cast(topic: string, method: string, args?: Record<string, unknown>, options?: TestCallOptions & {fanout?: boolean}): Promise<void>
  /** Resolves with the first log record, past or future, whose message matches. */
  waitForLog(pattern: RegExp | string, options?: {timeoutMs?: number}): Promise<LogRecord>
  /** Stop the host, close the client and remove the temporary directory. */
  stop(): Promise<void>
}

/**
 * Start a real steward host in this process: plugin discovery and validation, the state store,
 * the RPC endpoint, the services' start order, heartbeats and periodic tasks, all as
 * `steward start` runs them. For plugin tests, with `node:test` or any runner.
 *
 * @example
 * const test = await startTestHost({plugins: [pluginDir], topics: ['clock'], config: {clock: {driver: 'system-clock'}}})
 * try {
 *   assert.equal(typeof (await test.call('clock', 'now')), 'string')
 * } finally {
 *   await test.stop()
 * }
 */
export async function startTestHost(options: TestHostOptions): Promise<TestHost> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'steward-test-'))
  try {
    return await startIn(dir, options)
  } catch (error) {
    await rm(dir, {recursive: true, force: true})
    throw error
  }
}

async function startIn(dir: string, options: TestHostOptions): Promise<TestHost> {
  const name = options.host ?? 'test-host'
  const config = loadConfig({flags: {config: await writeTestConfig(dir, options), host: name}, env: {}, cwd: dir})
  const logs: LogRecord[] = []
  const waiters = new LogWaiters()
  const log = createLogger({
    level: options.logLevel ?? 'debug',
    format: 'text',
    write: options.print === true ? (line) => process.stderr.write(line) : () => {},
    listeners: [
      (record) => {
        logs.push(record)
        waiters.notify(record)
      },
    ],
  })
  const host = await Host.open({config, topics: options.topics, log})
  await host.start()
  const store = await openStore({stateDir: config.options.state_dir})
  const {client, close} = createRpcClient({config, store, log: log.child({client: 'test'})})
  const caller = `test@${name}`
  let stopping: Promise<void> | undefined
  return {
    host,
    name,
    dir,
    logs,
    call: async <T>(topic: string, method: string, args: Record<string, unknown> = {}, target: TestCallOptions = {}) =>
      (await client.prepare({...target, topic}).call(createContext(caller), method, args)) as T,
    cast: (topic, method, args = {}, target = {}) => client.prepare({...target, topic}).cast(createContext(caller), method, args),
    waitForLog: (pattern, {timeoutMs = 10_000} = {}) => waiters.wait(logs, pattern, timeoutMs),
    stop: () =>
      (stopping ??= (async () => {
        waiters.cancel('the test host stopped')
        await host.stop()
        await close(0)
        await store.close()
        await rm(dir, {recursive: true, force: true})
      })()),
  }
}

/** steward.json of the test host, and links to the plugin folders in a plugin directory of its own. */
async function writeTestConfig(dir: string, options: TestHostOptions): Promise<string> {
  const plugins = path.join(dir, 'plugins')
  await mkdir(plugins)
  await Promise.all((options.plugins ?? []).map((folder, index) => symlink(path.resolve(folder), path.join(plugins, `${index}-${path.basename(path.resolve(folder))}`), 'dir')))
  const given = options.config ?? {}
  const pluginDirs = Array.isArray(given.plugin_dirs) ? given.plugin_dirs : []
  const file = path.join(dir, 'steward.json')
  await writeFile(file, JSON.stringify({periodic_fuzzy_delay: 0, rpc_response_timeout: 10, ...given, state_dir: path.join(dir, 'state'), plugin_dirs: [plugins, ...pluginDirs]}, null, 2))
  return file
}
