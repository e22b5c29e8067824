import type {PoolState} from './host-state.js'

/** A pool with its weight: the highest is chosen. */
export interface WeighedPool {
  pool: PoolState
  weight: number
}

/**
 * Manila's CapacityWeigher: more free capacity weighs more. Weights are normalised to 0…1 over
 * the candidates and multiplied by `multiplier` (Manila's capacity_weight_multiplier): 1 spreads
 * shares over the backends, a negative one stacks them on the fullest that still fits.
 */
export function weighByFreeCapacity(pools: readonly PoolState[], multiplier = 1): WeighedPool[] {
  const free = pools.map((pool) => pool.freeCapacityGb - Math.floor((pool.totalCapacityGb * pool.reservedPercentage) / 100))
  const min = Math.min(...free)
  const max = Math.max(...free)
  return pools.map((pool, index) => ({pool, weight: multiplier * (max === min ? 0 : (free[index]! - min) / (max - min))}))
}

/**
 * The pool to place the share in: the heaviest, and among equals the first by name, so a
 * decision is the same on every scheduler given the same map.
 */
export function choosePool(weighed: readonly WeighedPool[]): PoolState | undefined {
  const sorted = [...weighed].sort((a, b) => b.weight - a.weight || a.pool.id.localeCompare(b.pool.id))
  return sorted[0]?.pool
}
