import type {
  BackendStats,
  DocumentBackend,
  HostRecord,
  NewServiceRecord,
  PluginCollection,
  PluginItem,
  ServiceFilter,
  ServiceRecord,
  ServiceRecordPatch,
  StateData,
  StateStore,
} from './types.js'

export interface DocumentStoreOptions {
  /** The clock for createdAt. @default () => new Date() */
  now?: () => Date
}

/** The fields of a record that updateService may change; anything else in a patch is ignored. */
const patchableFields = ['topic', 'zone', 'disabled', 'disabledReason', 'reportCount', 'updatedAt', 'stoppedAt'] as const

/**
 * The typed {@link StateStore}, written once over any {@link DocumentBackend}. Every change is one
 * `mutate`, so it is atomic with respect to other processes as far as the backend is: in
 * particular find-or-create of (host, binary) looks and inserts inside one mutation, so two hosts
 * starting at once get one record.
 */
export class DocumentStore implements StateStore {
  readonly #backend: DocumentBackend
  readonly #now: () => Date

  constructor(backend: DocumentBackend, options: DocumentStoreOptions = {}) {
    this.#backend = backend
    this.#now = options.now ?? (() => new Date())
  }

  get location(): string {
    return this.#backend.location
  }

  /** The backend's counters (the file backend keeps them), or undefined. */
  get stats(): Readonly<BackendStats> | undefined {
    return this.#backend.stats
  }

  async listServices(filter: ServiceFilter = {}): Promise<ServiceRecord[]> {
    const data = await this.#backend.read()
    return data.services
      .filter(
        (record) =>
          (filter.host === undefined || record.host === filter.host) &&
          (filter.binary === undefined || record.binary === filter.binary) &&
          (filter.topic === undefined || record.topic === filter.topic),
      )
      .sort((a, b) => a.id - b.id)
  }

  async getService(id: number): Promise<ServiceRecord | undefined> {
    const data = await this.#backend.read()
    return data.services.find((record) => record.id === id)
  }

  findOrCreateService(init: NewServiceRecord): Promise<{record: ServiceRecord; created: boolean}> {
    for (const field of ['host', 'binary', 'topic'] as const) {
      if (typeof init[field] !== 'string' || init[field] === '') {
        return Promise.reject(new TypeError(`findOrCreateService: "${field}" must be a non-empty string`))
      }
    }
    const createdAt = this.#now().toISOString()
    return this.#backend.mutate((data) => {
      const existing = data.services.find((record) => record.host === init.host && record.binary === init.binary)
      if (existing !== undefined) return {record: existing, created: false}
      const record: ServiceRecord = {
        id: allocateServiceId(data),
        host: init.host,
        binary: init.binary,
        topic: init.topic,
        zone: init.zone,
        disabled: init.disabled,
        disabledReason: null,
        reportCount: 0,
        createdAt,
        updatedAt: null,
        stoppedAt: init.stoppedAt ?? null,
      }
      data.services.push(record)
      return {record, created: true}
    })
  }

  updateService(id: number, patch: ServiceRecordPatch): Promise<ServiceRecord | undefined> {
    const changes: Record<string, unknown> = {}
    for (const field of patchableFields) {
      if (patch[field] !== undefined) changes[field] = patch[field]
    }
    return this.#backend.mutate((data) => {
      const record = data.services.find((candidate) => candidate.id === id)
      if (record === undefined) return undefined
      Object.assign(record, changes)
      return record
    })
  }

  reportService(id: number, at: Date): Promise<ServiceRecord | undefined> {
    const updatedAt = at.toISOString()
    return this.#backend.mutate((data) => {
      const record = data.services.find((candidate) => candidate.id === id)
      if (record === undefined) return undefined
      record.reportCount += 1
      record.updatedAt = updatedAt
      return record
    })
  }

  removeServices(ids: readonly number[]): Promise<number> {
    const doomed = new Set(ids)
    return this.#backend.mutate((data) => {
      const before = data.services.length
      data.services = data.services.filter((record) => !doomed.has(record.id))
      return before - data.services.length
    })
  }

  async listHosts(): Promise<HostRecord[]> {
    const data = await this.#backend.read()
    return [...data.hosts].sort((a, b) => a.name.localeCompare(b.name))
  }

  putHost(record: HostRecord): Promise<void> {
    return this.#backend.mutate((data) => {
      data.hosts = [...data.hosts.filter((candidate) => candidate.name !== record.name), {...record}]
    })
  }

  updateHost(name: string, patch: Partial<Omit<HostRecord, 'name'>>): Promise<HostRecord | undefined> {
    return this.#backend.mutate((data) => {
      const record = data.hosts.find((candidate) => candidate.name === name)
      if (record !== undefined) Object.assign(record, patch, {name})
      return record
    })
  }

  collection(plugin: string, name: string): PluginCollection {
    checkName('plugin', plugin, /^@?[a-z0-9][\w.-]*(?:\/[a-z0-9][\w.-]*)?$/i)
    checkName('collection', name, /^[a-z0-9][\w.-]*$/i)
    return new DocumentCollection(this.#backend, plugin, name)
  }

  close(): Promise<void> {
    return this.#backend.close()
  }
}

/** The next id: nextServiceId, unless a hand-edited file already uses it. */
function allocateServiceId(data: StateData): number {
  const id = Math.max(data.nextServiceId, ...data.services.map((record) => record.id + 1))
  data.nextServiceId = id + 1
  return id
}

function checkName(what: string, value: string, pattern: RegExp): void {
  // The pattern also keeps out "__proto__" and friends, which would reach Object.prototype.
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new TypeError(`Invalid ${what} name ${JSON.stringify(value)}: use letters, digits, ".", "-" and "_"`)
  }
}

/** A copy of `value` as JSON would store it, so both backends keep exactly the same thing. */
function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

class DocumentCollection implements PluginCollection {
  readonly #backend: DocumentBackend
  readonly #plugin: string
  readonly #name: string

  constructor(backend: DocumentBackend, plugin: string, name: string) {
    this.#backend = backend
    this.#plugin = plugin
    this.#name = name
  }

  async list(): Promise<PluginItem[]> {
    return this.#items(await this.#backend.read()) ?? []
  }

  async get(id: string): Promise<PluginItem | undefined> {
    return this.#items(await this.#backend.read())?.find((item) => item.id === id)
  }

  async put(item: PluginItem): Promise<void> {
    if (typeof item?.id !== 'string' || item.id === '') throw new TypeError('A plugin item needs a non-empty string "id"')
    const stored = asJson(item)
    await this.#backend.mutate((data) => {
      const collections = (data.plugins[this.#plugin] ??= {})
      const items = (collections[this.#name] ??= [])
      const index = items.findIndex((candidate) => candidate.id === stored.id)
      // A copy each time: the mutation may be replayed (see DocumentBackend.mutate).
      if (index === -1) items.push(structuredClone(stored))
      else items[index] = structuredClone(stored)
    })
  }

  async update(id: string, patch: Readonly<Record<string, unknown>>): Promise<PluginItem | undefined> {
    const {id: _ignored, ['__proto__']: _unsafe, ...changes} = asJson(patch)
    return this.#backend.mutate((data) => {
      const item = this.#items(data)?.find((candidate) => candidate.id === id)
      if (item !== undefined) Object.assign(item, structuredClone(changes))
      return item
    })
  }

  remove(id: string): Promise<boolean> {
    return this.#backend.mutate((data) => {
      const items = this.#items(data)
      const index = items?.findIndex((item) => item.id === id) ?? -1
      if (items === undefined || index === -1) return false
      items.splice(index, 1)
      // Keep the document free of empty leftovers.
      const collections = data.plugins[this.#plugin]
      if (items.length === 0 && collections !== undefined) {
        delete collections[this.#name]
        if (Object.keys(collections).length === 0) delete data.plugins[this.#plugin]
      }
      return true
    })
  }

  #items(data: StateData): PluginItem[] | undefined {
    const collections = Object.hasOwn(data.plugins, this.#plugin) ? data.plugins[this.#plugin] : undefined
    return collections !== undefined && Object.hasOwn(collections, this.#name) ? collections[this.#name] : undefined
  }
}
