/**
 * The program of a ProcessLauncher's worker process (cluster's `exec`): build the server from the
 * spec in the environment, start it, tell the launcher it is ready, and stop on SIGTERM or SIGINT.
 * When the launcher's process dies, cluster's IPC disconnect ends this process at once (no
 * polling); its requests in flight are lost with the launcher that accepted them.
 */
import {pathToFileURL} from 'node:url'
import path from 'node:path'
import type {LogLevel} from '../../config/options.js'
import {describeError, isStewardError} from '../../errors/index.js'
import {createLogger, type LogFields, type LogRecord} from '../../log/logger.js'
import type {LaunchableServer, ServerFactory, ServerSpec} from './launchable-server.js'
import {handleSignals} from './signal-handlers.js'
import {LOG_LEVEL_ENV, SLOT_ENV, SPEC_ENV, type WorkerMessage} from './worker-protocol.js'

function send(message: WorkerMessage): void {
  if (process.connected) process.send!(message)
}

/** Log fields cross the IPC channel as JSON: errors become their message. */
function plain(fields: LogFields): LogFields {
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, value instanceof Error ? describeError(value) : value]))
}

const log = createLogger({
  level: (process.env[LOG_LEVEL_ENV] as LogLevel | undefined) ?? 'info',
  format: 'text',
  write: () => undefined,
  listeners: [(record: LogRecord) => send({steward: 'log', level: record.level, message: record.message, fields: plain(record.fields)})],
})

function moduleUrl(module: string): string {
  if (module.startsWith('file:') || !(path.isAbsolute(module) || module.startsWith('.'))) return module
  return pathToFileURL(path.resolve(module)).href
}

/**
 * Wait for the launcher to answer a message sent after the server stopped. The launcher may have
 * handed this worker a connection before it learned the server closed; such a handoff reaches this
 * process before the answer, and cluster gives it back to the launcher for another worker. Exiting
 * before it arrives would lose that connection. Bounded, for a launcher that is gone.
 */
async function launcherCaughtUp(): Promise<void> {
  if (!process.connected) return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, 5000)
    function done(): void {
      clearTimeout(timer)
      process.off('message', onMessage)
      resolve()
    }
    function onMessage(message: unknown): void {
      if ((message as {steward?: unknown} | null)?.steward === 'exit') done()
    }
    process.on('message', onMessage)
    send({steward: 'stopped'})
  })
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.env[SPEC_ENV] ?? '{}') as ServerSpec
  const slot = Number(process.env[SLOT_ENV] ?? '1')
  let server: LaunchableServer | undefined
  const removeHandlers = handleSignals({
    log,
    stop: () => void (server === undefined ? process.exit(0) : server.stop({graceful: true})),
    // The launcher replaces workers on SIGHUP; a SIGHUP sent to a worker itself resets its server.
    reload: async () => server?.reset?.(),
  })
  try {
    const exported = ((await import(moduleUrl(spec.module))) as Record<string, unknown>)[spec.export ?? 'createServer']
    if (typeof exported !== 'function') throw new Error(`${spec.module} has no function export "${spec.export ?? 'createServer'}"`)
    server = await (exported as ServerFactory)(spec.options, {slot, log})
    await server.start()
  } catch (error) {
    const failed: WorkerMessage = {steward: 'failed', code: isStewardError(error) ? error.code : 'HOST_START_FAILED', message: describeError(error)}
    if (!process.connected) process.exit(1)
    process.send!(failed, () => process.exit(1))
    return
  }
  const {endpoint} = server as {endpoint?: unknown}
  send(endpoint === undefined ? {steward: 'ready'} : {steward: 'ready', endpoint})
  await server.wait()
  removeHandlers()
  await launcherCaughtUp()
  // Leave even when a handle (a keep-alive socket, a timer of the server's) would keep us alive.
  process.exit(0)
}

await main()
