import type {Logger} from '../../log/logger.js'

/**
 * What a launcher runs (Manila's launchable service: a Service, a WSGIService). A host is one; so
 * is the HTTP API service. start() resolves once it serves; stop() is idempotent; wait() resolves
 * once it has stopped, on its own or by stop().
 */
export interface LaunchableServer {
  start(): Promise<void>
  /** Graceful (the default) lets in-flight work finish within graceful_shutdown_timeout. */
  stop(options?: {graceful?: boolean}): Promise<void>
  wait(): Promise<void>
  /**
   * SIGHUP: read the configuration again and reload plugins, without dropping work. Called again
   * only after the previous reset settled. Absent: SIGHUP is logged and ignored.
   */
  reset?(): Promise<void>
}

/** What a worker process is told, besides the options of its spec. */
export interface WorkerContext {
  /** The worker's slot, 1..workers; a respawned worker keeps its slot. */
  slot: number
  /** Lines go to the launcher's process (its log file, dashboard and monitors). */
  log: Logger
}

/**
 * How a worker process builds its server: a module (file path, file URL or package specifier) and
 * the name of its export, a function `(options, context) => LaunchableServer` (or a promise of
 * one). A server cannot be handed to another process, so each worker builds its own from this.
 */
export interface ServerSpec {
  /** A name for logs and records (`api`). */
  name: string
  module: string
  /** @default 'createServer' */
  export?: string
  /** Passed to the export; must survive JSON. */
  options?: unknown
}

export type ServerFactory = (options: unknown, context: WorkerContext) => LaunchableServer | Promise<LaunchableServer>
