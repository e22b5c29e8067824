/**
 * `steward/testing`: run a plugin for real in a test. Start a host in the test's process with the
 * plugin loaded, call its services over RPC, await what it logs, stop it.
 */
export {startTestHost, type TestHost, type TestHostOptions, type TestCallOptions} from './start-test-host.js'
export type {LogRecord} from '../log/logger.js'
