import {describe, expect, it} from 'vitest'
import {HostStateMap, type BackendCapabilities, type ServiceView} from './host-state.js'

const caps = (free: number, total = 10): BackendCapabilities => ({backendName: 'b', driver: 'share-memory', pools: [{name: 'p', totalCapacityGb: total, freeCapacityGb: free, allocatedCapacityGb: total - free, reservedPercentage: 0}]})
const report = (host: string, capabilities: unknown, timestamp: string, serviceName = 'share') => ({serviceName, host, capabilities, timestamp})
const up = (host: string, extra: Partial<ServiceView> = {}): ServiceView => ({host, zone: 'nova', status: 'enabled', state: 'up', ...extra})

describe('HostStateMap', () => {
  it('keeps the newest report per backend and ignores an older one, however it arrives', () => {
    const map = new HostStateMap()
    expect(map.update(report('h@a', caps(5), '2026-01-01T00:00:02Z'))).toBe('accepted')
    expect(map.update(report('h@a', caps(9), '2026-01-01T00:00:01Z'))).toBe('stale')
    expect(map.pools([up('h@a')]).map((pool) => [pool.id, pool.freeCapacityGb])).toEqual([['h@a#p', 5]])
    expect(map.update(report('h@a', caps(4), '2026-01-01T00:00:02Z'))).toBe('accepted')
    expect(map.pools([up('h@a')])[0]!.freeCapacityGb).toBe(4)
  })

  it('takes the first report of a backend however old, and only share services\' well-formed reports', () => {
    const map = new HostStateMap()
    expect(map.update(report('h@a', caps(5), '2000-01-01T00:00:00Z'))).toBe('accepted')
    expect(map.update(report('h@b', caps(5), '2026-01-01T00:00:00Z', 'meter'))).toBe('not-a-share-service')
    expect(map.update(report('h@c', {pools: 'many'}, '2026-01-01T00:00:00Z'))).toBe('malformed')
    expect(Object.keys(map.snapshot())).toEqual(['h@a'])
  })

  it('counts a placed share until a report sent after it arrives', () => {
    const map = new HostStateMap()
    map.update(report('h@a', caps(10), '2026-01-01T00:00:00Z'))
    map.consume('h@a#p', 3, Date.parse('2026-01-01T00:00:05Z'))
    expect(map.pools([up('h@a')])[0]).toMatchObject({freeCapacityGb: 7, allocatedCapacityGb: 3})
    // Sent before the share was placed: it does not know about it yet.
    expect(map.update(report('h@a', caps(10), '2026-01-01T00:00:04Z'))).toBe('stale')
    expect(map.update(report('h@a', caps(6), '2026-01-01T00:00:06Z'))).toBe('accepted')
    expect(map.pools([up('h@a')])[0]!.freeCapacityGb).toBe(6)
  })

  it('forgets backends whose service is down, stopped, disabled or gone, and names the live ones that never reported', () => {
    const map = new HostStateMap()
    for (const host of ['h@up', 'h@down', 'h@stopped', 'h@disabled', 'h@gone']) map.update(report(host, caps(5), '2026-01-01T00:00:00Z'))
    const services = [up('h@up'), up('h@down', {state: 'down'}), up('h@stopped', {state: 'stopped'}), up('h@disabled', {status: 'disabled'}), up('h@new')]
    expect(map.refresh(services)).toEqual({forgotten: ['h@down', 'h@stopped', 'h@disabled', 'h@gone'], unreported: ['h@new']})
    expect(map.pools(services).map((pool) => pool.id)).toEqual(['h@up#p'])
  })
})
