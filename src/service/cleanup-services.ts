import type {StateStore} from '../store/types.js'
import {isFresh} from './service-state.js'

export interface CleanupOptions {
  /** Only records of this topic; all topics when undefined. */
  topic?: string
  now: Date
  downTimeSeconds: number
}

/**
 * Delete the records that a clean stop left behind and that have shown no life for longer than
 * the down time (Manila's cleanup_services; unlike Manila, disabled records are cleaned too).
 * Resolves to the records deleted.
 */
export async function cleanupStoppedServices(store: StateStore, options: CleanupOptions): Promise<Array<{id: number; host: string; binary: string}>> {
  const filter = options.topic === undefined ? {} : {topic: options.topic}
  const stale = (await store.listServices(filter)).filter((record) => record.stoppedAt !== null && !isFresh(record, options.now, options.downTimeSeconds))
  if (stale.length > 0) await store.removeServices(stale.map((record) => record.id))
  return stale.map(({id, host, binary}) => ({id, host, binary}))
}
