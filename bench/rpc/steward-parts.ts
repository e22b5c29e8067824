// What the steward server and client of the benchmark share.
import type {Logger} from '../../src/log/logger.js'

export const TOPIC = 'bench'
/** The service host of the single-server benchmark (fan-out hosts are `bench-host-<index>`). */
export const SERVER_NAME = 'bench-server'
export const CALLER = 'bench-client'
/** steward's defaults: rpc_max_message_size and rpc_response_timeout. */
export const MAX_MESSAGE_SIZE = 16_777_216
export const RESPONSE_TIMEOUT_SECONDS = 60

/** Warnings and errors to stderr (the harness shows a server's stderr when it fails). */
export const benchLogger: Logger = {
  debug() {},
  info() {},
  warn: (message, fields) => console.error(`warn: ${message}`, fields ?? ''),
  error: (message, fields) => console.error(`error: ${message}`, fields ?? ''),
  child: () => benchLogger,
}
