import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {StewardError} from '../../errors/index.js'
import type {Logger} from '../../log/logger.js'
import type {LaunchableServer, ServerFactory, ServerSpec} from './launchable-server.js'
import {ProcessLauncher, type ProcessLauncherOptions} from './process-launcher.js'
import {handleSignals} from './signal-handlers.js'

export type ServeOptions = Omit<ProcessLauncherOptions, 'log'> & {
  log: Logger
  /** @default 1: the server runs in this process */
  workers?: number
  /** Handle SIGTERM, SIGINT and SIGHUP (handleSignals). @default true */
  signals?: boolean
}

/** A process launcher, for running servers in worker processes (Manila's `process_launcher()`). */
export function processLauncher(options: ProcessLauncherOptions): ProcessLauncher {
  return new ProcessLauncher(options)
}

let launched: {server: LaunchableServer; removeHandlers: () => void} | undefined

/**
 * Manila's `serve(server, workers)`: run one server, in this process (workers 1, a ServiceLauncher)
 * or in `workers` processes (a ProcessLauncher; the server is then given as a spec each worker
 * builds it from), with the launcher's signals. Once per process; `wait()` then blocks until it
 * has stopped.
 */
export async function serve(server: LaunchableServer | ServerSpec, options: ServeOptions): Promise<LaunchableServer> {
  if (launched !== undefined) throw new StewardError('LAUNCHER_ALREADY_SERVING', 'serve() was already called in this process; it runs one server (launch more with processLauncher()).')
  const workers = options.workers ?? 1
  let running: LaunchableServer
  if (isSpec(server)) {
    if (workers > 1) {
      const launcher = processLauncher(options)
      launcher.launchService(server, workers)
      running = launcher
    } else {
      running = await buildInProcess(server, options.log)
    }
  } else {
    if (workers > 1) throw new StewardError('CONFIG_INVALID', `A server object runs in this process only; give a ServerSpec to run ${workers} worker processes.`)
    running = server
  }
  const removeHandlers =
    options.signals === false
      ? () => undefined
      : handleSignals({
          log: options.log,
          stop: () => void running.stop({graceful: true}),
          ...(running.reset === undefined ? {} : {reload: () => running.reset!()}),
        })
  launched = {server: running, removeHandlers}
  try {
    await running.start()
  } catch (error) {
    removeHandlers()
    throw error
  }
  return running
}

/** Resolves once the served server has stopped (Manila's `wait()`); its signal handlers are removed then. */
export async function wait(): Promise<void> {
  if (launched === undefined) throw new StewardError('LAUNCHER_ALREADY_SERVING', 'wait() needs a server: call serve() first.')
  await launched.server.wait()
  launched.removeHandlers()
}

function isSpec(server: LaunchableServer | ServerSpec): server is ServerSpec {
  return typeof (server as ServerSpec).module === 'string'
}

async function buildInProcess(spec: ServerSpec, log: Logger): Promise<LaunchableServer> {
  const url = spec.module.startsWith('file:') || !(path.isAbsolute(spec.module) || spec.module.startsWith('.')) ? spec.module : pathToFileURL(path.resolve(spec.module)).href
  const exported = ((await import(url)) as Record<string, unknown>)[spec.export ?? 'createServer']
  if (typeof exported !== 'function') throw new StewardError('HOST_START_FAILED', `${spec.module} has no function export "${spec.export ?? 'createServer'}".`)
  return (exported as ServerFactory)(spec.options, {slot: 1, log})
}
