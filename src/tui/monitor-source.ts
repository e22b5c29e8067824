/**
 * What the terminal UI needs from the rest of steward: a live model to draw and the actions its
 * keys take. Both are interfaces so the UI is tested with fakes; src/tui/actions.ts binds the
 * actions to the store and RPC, and the monitor client is a MonitorSource.
 */
import type {MonitorModel} from '../monitor/telemetry.js'
import type {ServiceSummary} from '../service/host-topic.js'

/** A model that changes: the UI reads `current()` and repaints (throttled) when told. */
export interface MonitorSource {
  current(): MonitorModel
  /** Call listener on every change; returns the unsubscribe function. */
  subscribe(listener: (model: MonitorModel) => void): () => void
}

/**
 * What the UI's keys do. `host` is the host process's name (the service host without
 * `@backend`), which names its host topic; `server` in `call` is the service host itself.
 * Each rejects with the error to show (a StewardError's code is shown with its message).
 */
export interface Actions {
  enable(host: string, binary: string): Promise<void>
  /** Reason: 1–255 characters, or empty for none. */
  disable(host: string, binary: string, reason: string): Promise<void>
  /** Load the service's plugin code anew (host topic `reload_service`). */
  reload(host: string, topic: string): Promise<ServiceSummary>
  /** Replace the service's generation (host topic `reload_service` with trigger `restart`). */
  restart(host: string, topic: string): Promise<ServiceSummary>
  /** Call an RPC method of `topic.server` and resolve with its result. */
  call(topic: string, server: string, method: string, args: Record<string, unknown>): Promise<unknown>
}
