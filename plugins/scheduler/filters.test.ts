import {describe, expect, it} from 'vitest'
import {availabilityZoneFilter, capacityFilter, filterPools, serviceFilter} from './filters.js'
import type {PoolState} from './host-state.js'
import {choosePool, weighByFreeCapacity} from './weighers.js'

function pool(id: string, free: number, extra: Partial<PoolState> = {}): PoolState {
  const [host = id, name = 'p'] = id.split('#')
  return {id, host, name, zone: 'nova', service: {state: 'up', status: 'enabled'}, totalCapacityGb: 100, freeCapacityGb: free, allocatedCapacityGb: 100 - free, reservedPercentage: 0, ...extra}
}

describe('filters', () => {
  const request = {size: 10, availabilityZone: null}

  it('ServiceFilter passes pools whose service is up and enabled', () => {
    expect(serviceFilter.reject(pool('h@a#p', 50), request)).toBeUndefined()
    expect(serviceFilter.reject(pool('h@a#p', 50, {service: {state: 'down', status: 'enabled'}}), request)).toBe('service is down')
    expect(serviceFilter.reject(pool('h@a#p', 50, {service: {state: 'up', status: 'disabled'}}), request)).toBe('service is disabled')
  })

  it('AvailabilityZoneFilter passes any zone when none is asked, else only that zone', () => {
    expect(availabilityZoneFilter.reject(pool('h@a#p', 50, {zone: 'z1'}), request)).toBeUndefined()
    expect(availabilityZoneFilter.reject(pool('h@a#p', 50, {zone: 'z1'}), {...request, availabilityZone: 'z1'})).toBeUndefined()
    expect(availabilityZoneFilter.reject(pool('h@a#p', 50, {zone: 'z1'}), {...request, availabilityZone: 'z2'})).toBe('zone z1, not z2')
  })

  it('CapacityFilter needs the size free outside the reserved part, an exact fit included', () => {
    expect(capacityFilter.reject(pool('h@a#p', 10), request)).toBeUndefined()
    expect(capacityFilter.reject(pool('h@a#p', 9), request)).toBe('9 GiB free, 10 GiB asked')
    expect(capacityFilter.reject(pool('h@a#p', 15, {reservedPercentage: 10}), request)).toBe('5 GiB free, 10 GiB asked')
    expect(capacityFilter.reject(pool('h@a#p', -3), request)).toBe('0 GiB free, 10 GiB asked')
  })

  it('filterPools says which filter left each pool out', () => {
    const result = filterPools([pool('h@a#p', 50), pool('h@b#p', 5), pool('h@c#p', 50, {zone: 'z9'})], {size: 10, availabilityZone: 'nova'})
    expect(result.passed.map((passed) => passed.id)).toEqual(['h@a#p'])
    expect(result.rejected).toEqual([
      {pool: 'h@b#p', filter: 'CapacityFilter', reason: '5 GiB free, 10 GiB asked'},
      {pool: 'h@c#p', filter: 'AvailabilityZoneFilter', reason: 'zone z9, not nova'},
    ])
  })
})

describe('the capacity weigher', () => {
  it('weighs free capacity from 0 to 1 over the candidates, and the heaviest is chosen', () => {
    const weighed = weighByFreeCapacity([pool('h@a#p', 10), pool('h@b#p', 30), pool('h@c#p', 20)])
    expect(weighed.map((entry) => entry.weight)).toEqual([0, 1, 0.5])
    expect(choosePool(weighed)?.id).toBe('h@b#p')
  })

  it('stacks on the fullest with a negative multiplier, and breaks ties by name', () => {
    expect(choosePool(weighByFreeCapacity([pool('h@a#p', 10), pool('h@b#p', 30)], -1))?.id).toBe('h@a#p')
    expect(choosePool(weighByFreeCapacity([pool('h@b#p', 10), pool('h@a#p', 10)]))?.id).toBe('h@a#p')
    expect(choosePool([])).toBeUndefined()
  })
})
