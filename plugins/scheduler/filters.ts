import type {PoolState} from './host-state.js'

/** What a share asks of the pool it goes to (Manila's request_spec, the parts the filters read). */
export interface ShareRequest {
  /** GiB. */
  size: number
  /** The zone asked for; any zone when null. */
  availabilityZone: string | null
}

/**
 * A filter (Manila's BaseHostFilter): whether a pool may take the share. When it may not, it
 * answers why, which the scheduler puts in the share's error when no pool is left.
 */
export interface PoolFilter {
  name: string
  /** Undefined when the pool passes; otherwise why it does not. */
  reject(pool: PoolState, request: ShareRequest): string | undefined
}

/** The backend's service must be up and enabled (the host-state map already forgets the others). */
export const serviceFilter: PoolFilter = {
  name: 'ServiceFilter',
  reject: (pool) => (pool.service.state !== 'up' ? `service is ${pool.service.state}` : pool.service.status === 'disabled' ? 'service is disabled' : undefined),
}

/** The pool must be in the zone asked for, if one was. */
export const availabilityZoneFilter: PoolFilter = {
  name: 'AvailabilityZoneFilter',
  reject: (pool, request) => (request.availabilityZone === null || request.availabilityZone === pool.zone ? undefined : `zone ${pool.zone}, not ${request.availabilityZone}`),
}

/**
 * The pool must have room for the share outside its reserved part (Manila's CapacityFilter,
 * thick provisioning): free − total × reserved% ≥ size.
 */
export const capacityFilter: PoolFilter = {
  name: 'CapacityFilter',
  reject: (pool, request) => {
    const usable = pool.freeCapacityGb - Math.floor((pool.totalCapacityGb * pool.reservedPercentage) / 100)
    return usable >= request.size ? undefined : `${Math.max(0, usable)} GiB free, ${request.size} GiB asked`
  },
}

/** The filters the scheduler applies, in order (Manila's scheduler_default_filters). */
export const defaultFilters: readonly PoolFilter[] = [serviceFilter, availabilityZoneFilter, capacityFilter]

/** The outcome of filtering: the pools that passed, and why each other one did not. */
export interface FilterResult {
  passed: PoolState[]
  rejected: Array<{pool: string; filter: string; reason: string}>
}

/** Run the pools through the filters; a pool stops at the first filter that rejects it. */
export function filterPools(pools: readonly PoolState[], request: ShareRequest, filters: readonly PoolFilter[] = defaultFilters): FilterResult {
  const result: FilterResult = {passed: [], rejected: []}
  for (const pool of pools) {
    let rejected = false
    for (const filter of filters) {
      const reason = filter.reject(pool, request)
      if (reason === undefined) continue
      result.rejected.push({pool: pool.id, filter: filter.name, reason})
      rejected = true
      break
    }
    if (!rejected) result.passed.push(pool)
  }
  return result
}
