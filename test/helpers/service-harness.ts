/**
 * Helpers for unit tests of the service runtime: a configuration in a temporary directory, a
 * captured logger, a fake ManagerSource, the in-memory store (optionally failing on demand) and a
 * LocalDispatcher, wired into a HostContext. No process, socket or file store is involved.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {loadConfig, type ConfigFlags, type StewardConfig} from '../../src/config/load-config.js'
import {StewardError} from '../../src/errors/index.js'
import {createLogger, type LogRecord, type Logger} from '../../src/log/logger.js'
import type {ManagerClass} from '../../src/manager/manager.js'
import type {RpcClient} from '../../src/rpc/context.js'
import {InlineGenerations} from '../../src/plugins/inline-generations.js'
import {LocalDispatcher} from '../../src/rpc/local-dispatcher.js'
import {createRpcClient} from '../../src/rpc/rpc-client-factory.js'
import {Service, type HostContext, type ManagerSource, type ServiceOptions} from '../../src/service/service.js'
import {openMemoryStore} from '../../src/store/open-store.js'
import type {StateStore} from '../../src/store/types.js'

const tempDirs: string[] = []

/** A fresh temporary directory, removed by {@link removeTempDirs}. */
export function makeTempDir(prefix = 'steward-unit-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true})
}

/**
 * A configuration read from an empty temporary directory: no file, the given environment only.
 * Host `test-host`, and every service timer off unless the flags turn it on.
 */
export function makeConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = {}): StewardConfig {
  const dir = makeTempDir('steward-config-')
  return loadConfig({
    cwd: dir,
    env,
    flags: {host: 'test-host', state_dir: path.join(dir, 'state'), report_interval: 0, periodic_interval: 0, cleanup_interval: 0, ...flags},
  })
}

export interface CapturedLog {
  log: Logger
  records: LogRecord[]
  /** Messages of the records at this level. */
  messages(level: LogRecord['level']): string[]
}

export function captureLog(): CapturedLog {
  const records: LogRecord[] = []
  const log = createLogger({level: 'debug', format: 'json', write: () => {}, listeners: [(record) => records.push(record)]})
  return {log, records, messages: (level) => records.filter((record) => record.level === level).map((record) => record.message)}
}

export const TEST_PLUGIN = {name: 'test-plugin', version: '9.8.7'}

/** A ManagerSource over inline classes, as the plugin registry would give them. */
export function fakeManagers(managers: Record<string, ManagerClass>, drivers: Record<string, unknown> = {}): ManagerSource {
  return {
    loadManager: async (name) => {
      const managerClass = managers[name]
      if (managerClass === undefined) throw new StewardError('MANAGER_NOT_FOUND', `No plugin provides a manager named "${name}".`)
      return {managerClass, plugin: TEST_PLUGIN}
    },
    loadDriver: async (name) => (name in drivers ? {exported: drivers[name], plugin: TEST_PLUGIN} : undefined),
  }
}

export interface ControlledStore {
  store: StateStore
  /** Names of store methods that reject with STORE_UNAVAILABLE while listed. */
  failing: Set<keyof StateStore>
  /** Every method called, in order. */
  calls: string[]
}

/**
 * Wrap a store so a test can make its methods fail, and see which were called (`onCall` hears
 * each call as it is made).
 */
export function controlledStore(inner: StateStore = openMemoryStore(), onCall: (method: string) => void = () => {}): ControlledStore {
  const failing = new Set<keyof StateStore>()
  const calls: string[] = []
  const store = new Proxy(inner, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.push(String(key))
        onCall(String(key))
        if (failing.has(key as keyof StateStore)) return Promise.reject(new StewardError('STORE_UNAVAILABLE', `test: ${String(key)} fails`))
        return (value as (...args: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return {store, failing, calls}
}

export interface Harness extends CapturedLog {
  config: StewardConfig
  store: StateStore
  /** Where the harness's services listen. */
  dispatcher: LocalDispatcher
  /** The RPC client of the harness's host (delivers to its services without sockets). */
  rpc: RpcClient
  hostContext: HostContext
  /** Service.create on this harness; the service is stopped by {@link Harness.stopAll}. */
  create(options: ServiceOptions): Service
  /** Stop, without waiting, every service created here that is still running. */
  stopAll(): Promise<void>
}

export interface HarnessOptions {
  managers: Record<string, ManagerClass>
  drivers?: Record<string, unknown>
  flags?: ConfigFlags
  env?: NodeJS.ProcessEnv
  store?: StateStore
  /** Share one host's dispatcher between harnesses. */
  dispatcher?: LocalDispatcher
}

export function makeHarness(options: HarnessOptions): Harness {
  const captured = captureLog()
  const config = makeConfig(options.flags, options.env)
  const store = options.store ?? openMemoryStore()
  const dispatcher = options.dispatcher ?? new LocalDispatcher()
  const {client: rpc} = createRpcClient({config, store, log: captured.log, local: dispatcher})
  const generations = new InlineGenerations({source: fakeManagers(options.managers, options.drivers), config, store, rpc, random: () => 0})
  const hostContext: HostContext = {config, store, dispatcher, rpc, log: captured.log, generations, random: () => 0}
  const services: Service[] = []
  return {
    ...captured,
    config,
    store,
    dispatcher,
    rpc,
    hostContext,
    create(serviceOptions) {
      const service = Service.create(hostContext, serviceOptions)
      services.push(service)
      return service
    },
    async stopAll() {
      await Promise.all(services.map((service) => service.stop({graceful: false})))
    },
  }
}

export interface Deferred<T> {
  promise: Promise<T>
  resolve(value: T): void
  reject(error: unknown): void
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return {promise, resolve, reject}
}

/** The StewardError code a promise rejects with (fails the test when it resolves). */
export async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return (error as {code?: string}).code ?? `not a StewardError: ${String(error)}`
  }
  throw new Error('expected a rejection')
}
