import type {LatencyBuckets} from '../metrics/latency-buckets.js'

/** A row of the services table, as stored. `state` is not stored: see service-state.ts. */
export interface ServiceRecord {
  id: number
  host: string
  binary: string
  topic: string
  /** Availability zone. */
  zone: string
  disabled: boolean
  /** Why the service was disabled; null while enabled. */
  disabledReason: string | null
  reportCount: number
  /**
   * ISO timestamps. updatedAt is the last heartbeat (or a change that sets it explicitly: the
   * store never bumps it on its own, so disabling a dead service does not make it look up);
   * null until the first one.
   */
  createdAt: string
  updatedAt: string | null
  /** Set by a clean stop, cleared when the service starts again. */
  stoppedAt: string | null
}

/** The fields a caller gives when a service record is created. */
export type NewServiceRecord = Pick<ServiceRecord, 'host' | 'binary' | 'topic' | 'zone' | 'disabled'> & {
  /** A starting service is created stopped, so nothing routes to it before it listens. @default null */
  stoppedAt?: string | null
}

/** The fields that may be changed on an existing record. */
export type ServiceRecordPatch = Partial<Omit<ServiceRecord, 'id' | 'host' | 'binary' | 'createdAt'>>

export interface ServiceFilter {
  host?: string
  binary?: string
  topic?: string
}

/** A host process: where its RPC endpoint is and whether it lives. */
export interface HostRecord {
  name: string
  /** The RPC endpoint it bound (`ipc://…` or `tcp://…`). */
  endpoint: string
  /**
   * Its telemetry feed, a ZeroMQ XPUB endpoint (docs/protocol.md, "Telemetry feed"), with the same
   * CURVE key as `endpoint`. Absent for a host that has none (older steward, or the bind failed).
   */
  feedEndpoint?: string
  /** The server's CURVE public key (Z85) when the endpoint requires CURVE; null otherwise. */
  publicKey: string | null
  pid: number
  /** steward's version on that host. */
  version: string
  startedAt: string
  /** The host's last heartbeat. */
  updatedAt: string
  /** Set by a clean stop. */
  stoppedAt: string | null
  /** The HTTP APIs it serves (docs/api.md); absent or empty for none. */
  apis?: ApiEndpointRecord[]
  /** Its worker processes, while it runs some (docs/daemon.md). */
  workers?: WorkerRecord[]
}

/** A worker process of a host (`api_workers` > 1), as its launcher last recorded it. */
export interface WorkerRecord {
  /** What it serves (`api`). */
  name: string
  slot: number
  pid: number | null
  state: 'starting' | 'running' | 'backoff' | 'errored' | 'stopping' | 'stopped'
  restarts: number
  unstableExits: number
  startedAt: string | null
  lastExit: {code: number | null; signal: string | null; at: string} | null
}

/** Where a host's HTTP API listens, known once it does (port 0 picks a free port). */
export interface ApiEndpointRecord {
  /** The API's name, the prefix of its options (`api`). */
  name: string
  /** `http://<address>:<port>`, the address as it listens (IPv6 in brackets). */
  url: string
  address: string
  port: number
  /** Whether its routes (all but /healthz) require a token. */
  token: boolean
  startedAt: string
  /** A request worth trying first (its pipeline's ApiExample, path in full), for `steward start` to show. */
  example?: {method: string; path: string; body?: unknown}
}

/** One item of a plugin's own collection. `id` is assigned by the store. */
export interface PluginItem {
  id: string
  [key: string]: unknown
}

/** The whole state document (one JSON file for the lowdb driver). */
export interface StateData {
  /** Format version of the document. */
  version: 1
  nextServiceId: number
  services: ServiceRecord[]
  /** One record per host process, by name: how to reach it. */
  hosts: HostRecord[]
  /** plugin name → collection name → items. */
  plugins: Record<string, Record<string, PluginItem[]>>
}

/**
 * The state store. Every method is atomic with respect to every other process using the same
 * store; a read sees a complete, committed state.
 */
export interface StateStore {
  /** Where the state lives, for messages (a file path, or "memory"). */
  readonly location: string
  /** The backend's counters, when it keeps them (the state file's does): for /metrics. */
  readonly stats?: Readonly<BackendStats> | undefined

  listServices(filter?: ServiceFilter): Promise<ServiceRecord[]>
  getService(id: number): Promise<ServiceRecord | undefined>
  /**
   * Return the record for (host, binary), creating it from `init` if there is none. Unique even
   * when several processes call it at once.
   */
  findOrCreateService(init: NewServiceRecord): Promise<{record: ServiceRecord; created: boolean}>
  /** Change a record; resolves to the updated record, or undefined when it does not exist. */
  updateService(id: number, patch: ServiceRecordPatch): Promise<ServiceRecord | undefined>
  /** Bump reportCount and updatedAt (a heartbeat); undefined when the record does not exist. */
  reportService(id: number, at: Date): Promise<ServiceRecord | undefined>
  /** Delete records; resolves to how many were deleted. */
  removeServices(ids: readonly number[]): Promise<number>

  /** Every host record, by name. */
  listHosts(): Promise<HostRecord[]>
  /** Insert or replace the record of a host (by name). */
  putHost(record: HostRecord): Promise<void>
  /** Change a host record; undefined when there is none. */
  updateHost(name: string, patch: Partial<Omit<HostRecord, 'name'>>): Promise<HostRecord | undefined>

  /** A plugin's own collection of items. */
  collection(plugin: string, name: string): PluginCollection

  close(): Promise<void>
}

export interface PluginCollection {
  list(): Promise<PluginItem[]>
  get(id: string): Promise<PluginItem | undefined>
  /**
   * Insert or replace the item with this id. Items are stored as JSON: what
   * `JSON.stringify` drops or changes (undefined, functions, Dates) is dropped or changed.
   */
  put(item: PluginItem): Promise<void>
  /**
   * Shallow-merge `patch` into the item, atomically; resolves to the updated item, or undefined
   * when there is no item with this id.
   */
  update(id: string, patch: Readonly<Record<string, unknown>>): Promise<PluginItem | undefined>
  remove(id: string): Promise<boolean>
}

/**
 * Where a document-shaped store keeps its one {@link StateData} document. The typed
 * {@link StateStore} is written once on top of this (document-store.ts); a backend only has to
 * read the document and apply mutations to it atomically.
 */
export interface DocumentBackend {
  /** Where the document lives, for messages. */
  readonly location: string
  /** A complete, committed document; the caller owns the returned object. */
  read(): Promise<StateData>
  /**
   * Apply `fn` to the current document and commit the result atomically with respect to every
   * other writer. When `fn` throws, none of its changes are kept and the promise rejects with what
   * it threw. The result is copied out, so it never aliases the stored document.
   *
   * `fn` must be synchronous and a deterministic function of the document: it may be run again on
   * a fresh copy (when another mutation committed in the same batch throws). So take clocks, ids
   * from outside and objects to insert from outside the document, and insert copies of the latter.
   */
  mutate<T>(fn: (data: StateData) => T): Promise<T>
  /** Finish pending mutations, then refuse new ones. */
  close(): Promise<void>
  /** Counters, for backends that keep them. */
  readonly stats?: BackendStats
}

/** Counters of a document backend, for monitors and benchmarks. */
export interface BackendStats {
  /** Mutations asked for. */
  mutations: number
  /** Lock acquisitions: each is one read of the document and at most one write. */
  commits: number
  /** Locks left behind by dead processes that had to be removed. */
  recoveredLocks: number
  /**
   * How long each commit took, from asking for the lock to releasing it (what a write waits, less
   * the wait for the commit before it): steward_store_commit_duration_seconds.
   */
  commitLatency: LatencyBuckets
}
