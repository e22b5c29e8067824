import type {LogFields} from '../../log/logger.js'
import type {LogLevel} from '../../config/options.js'

/** Environment variables a launcher's worker process reads (worker-main.ts). */
export const SPEC_ENV = 'STEWARD_LAUNCHER_SPEC'
export const SLOT_ENV = 'STEWARD_LAUNCHER_SLOT'
export const LOG_LEVEL_ENV = 'STEWARD_LAUNCHER_LOG_LEVEL'

/** What a worker process tells its launcher over the IPC channel. */
export type WorkerMessage =
  /** endpoint: the server's `endpoint` property, when it has one (where an API listens). */
  | {steward: 'ready'; endpoint?: unknown}
  | {steward: 'failed'; code: string; message: string}
  | {steward: 'log'; level: LogLevel; message: string; fields: LogFields}
  /** The server has stopped; the worker exits once the launcher answers (see worker-main.ts). */
  | {steward: 'stopped'}

/** What the launcher tells a worker: it may exit now. */
export interface LauncherMessage {
  steward: 'exit'
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && typeof (value as {steward?: unknown}).steward === 'string'
}
