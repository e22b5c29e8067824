/**
 * Every error code steward raises, with the exit code a command ends with and a one-line summary.
 * docs/errors.md documents each code; test/errors-doc.test.ts keeps the two in step.
 */
export const errorCatalog = {
  CONFIG_FILE_NOT_FOUND: {exitCode: 78, summary: 'The configuration file named by --config or STEWARD_CONFIG does not exist.'},
  CONFIG_FILE_UNREADABLE: {exitCode: 78, summary: 'The configuration file exists but is not valid JSON or cannot be read.'},
  CONFIG_INVALID: {exitCode: 78, summary: 'A configuration value has the wrong type or is out of range.'},
  CONFIG_UNKNOWN_OPTION: {exitCode: 78, summary: 'A configuration key is not a known option.'},
  STORE_NOT_FOUND: {exitCode: 66, summary: 'The state file does not exist yet: no host has run with this state directory.'},
  STORE_CORRUPT: {exitCode: 65, summary: 'The state file is not valid JSON or does not have the expected shape.'},
  STORE_UNAVAILABLE: {exitCode: 74, summary: 'The state file or its directory cannot be read or written.'},
  STORE_LOCK_TIMEOUT: {exitCode: 75, summary: 'The state file lock could not be taken in time.'},
  SERVICE_NOT_FOUND: {exitCode: 1, summary: 'No service record matches the given host and binary.'},
  SERVICE_REASON_INVALID: {exitCode: 64, summary: 'A disable reason is empty or longer than 255 characters.'},
  TOPIC_NOT_CONFIGURED: {exitCode: 78, summary: 'A topic to start has no manager configured.'},
  PLUGIN_INVALID: {exitCode: 78, summary: 'A plugin package does not declare what it provides correctly.'},
  PLUGIN_LOAD_FAILED: {exitCode: 70, summary: 'A plugin module threw or failed to import.'},
  MANAGER_NOT_FOUND: {exitCode: 78, summary: 'No plugin provides the configured manager.'},
  MANAGER_INVALID: {exitCode: 70, summary: 'A manager class breaks the Manager contract (for example it has no RPC API version).'},
  DRIVER_NOT_FOUND: {exitCode: 78, summary: 'No plugin or module provides the configured driver.'},
  DRIVER_MISSING_METHOD: {exitCode: 70, summary: 'A driver does not implement a method its family requires.'},
  PERIODIC_TASK_INVALID: {exitCode: 70, summary: 'A periodic task declaration names no method or has an invalid spacing.'},
  PERIODIC_TASK_FAILED: {exitCode: 1, summary: 'A periodic task threw (raised only when raiseOnError is set).'},
  LOCK_ACQUIRE_FAILED: {exitCode: 75, summary: 'A synchronized lock could not be acquired (non-blocking, or timed out).'},
  NO_SERVICE_AVAILABLE: {exitCode: 69, summary: 'No live service listens on the target topic (or topic.host).'},
  NO_SUCH_METHOD: {exitCode: 1, summary: 'The target service has no RPC method of that name.'},
  MESSAGING_TIMEOUT: {exitCode: 75, summary: 'No reply came before the call timed out.'},
  UNSUPPORTED_VERSION: {exitCode: 1, summary: 'The target serves an RPC API version incompatible with the one requested.'},
  RPC_VERSION_CAP: {exitCode: 1, summary: 'A call asks for a version above the client\'s version cap.'},
  INVALID_TARGET: {exitCode: 64, summary: 'An RPC target is malformed (no topic, a fanout call, a bad version).'},
  PROTOCOL_ERROR: {exitCode: 1, summary: 'A peer sent a message that breaks the wire protocol.'},
  PROTOCOL_VERSION_UNSUPPORTED: {exitCode: 1, summary: 'A peer speaks a wire protocol version this host does not.'},
  MESSAGE_TOO_LARGE: {exitCode: 1, summary: 'A message is larger than rpc_max_message_size.'},
  REMOTE_ERROR: {exitCode: 1, summary: 'The remote method failed with an error steward does not know; its code and data are kept.'},
  RPC_ENDPOINT_INSECURE: {exitCode: 78, summary: 'A TCP endpoint beyond loopback was configured without CURVE keys.'},
  RPC_ENDPOINT_FAILED: {exitCode: 74, summary: 'The RPC endpoint could not be bound or connected.'},
  KEY_FILE_INVALID: {exitCode: 78, summary: 'A CURVE key file is missing or malformed.'},
  HOST_START_FAILED: {exitCode: 1, summary: 'A service of the host failed to start.'},
} as const satisfies Record<string, {exitCode: number; summary: string}>

export type ErrorCode = keyof typeof errorCatalog
