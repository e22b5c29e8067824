import {describe, expect, it} from 'vitest'
import type {ServiceRecord} from '../store/types.js'
import {hostProcessOf, isFresh, serviceState, viewService} from './service-state.js'

const NOW = new Date('2030-06-01T12:00:00.000Z')
const DOWN_TIME = 60

function record(patch: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    id: 1,
    host: 'h1',
    binary: 'steward-share',
    topic: 'share',
    zone: 'nova',
    disabled: false,
    disabledReason: null,
    reportCount: 3,
    createdAt: '2030-06-01T10:00:00.000Z',
    updatedAt: null,
    stoppedAt: null,
    ...patch,
  }
}

const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString()

describe('isFresh', () => {
  it('is true up to service_down_time after the last heartbeat, inclusive', () => {
    expect(isFresh(record({updatedAt: ago(0)}), NOW, DOWN_TIME)).toBe(true)
    expect(isFresh(record({updatedAt: ago(60)}), NOW, DOWN_TIME)).toBe(true)
    expect(isFresh(record({updatedAt: ago(60.001)}), NOW, DOWN_TIME)).toBe(false)
  })

  it('falls back to createdAt before the first heartbeat', () => {
    expect(isFresh(record({createdAt: ago(30), updatedAt: null}), NOW, DOWN_TIME)).toBe(true)
    expect(isFresh(record({createdAt: ago(61), updatedAt: null}), NOW, DOWN_TIME)).toBe(false)
    // updatedAt wins over a recent createdAt.
    expect(isFresh(record({createdAt: ago(1), updatedAt: ago(120)}), NOW, DOWN_TIME)).toBe(false)
  })

  it('counts a timestamp in the future (clock skew) as not fresh', () => {
    expect(isFresh(record({updatedAt: ago(-1)}), NOW, DOWN_TIME)).toBe(false)
    expect(isFresh(record({createdAt: ago(-3600), updatedAt: null}), NOW, DOWN_TIME)).toBe(false)
  })
})

describe('serviceState', () => {
  it('is up within service_down_time, down after it', () => {
    expect(serviceState(record({updatedAt: ago(10)}), NOW, DOWN_TIME)).toBe('up')
    expect(serviceState(record({updatedAt: ago(61)}), NOW, DOWN_TIME)).toBe('down')
    expect(serviceState(record({updatedAt: ago(61)}), NOW, 120)).toBe('up')
  })

  it('is stopped after a clean stop, fresh or not', () => {
    expect(serviceState(record({updatedAt: ago(1), stoppedAt: ago(0)}), NOW, DOWN_TIME)).toBe('stopped')
    expect(serviceState(record({updatedAt: ago(3600), stoppedAt: ago(3590)}), NOW, DOWN_TIME)).toBe('stopped')
  })

  it('reads a future heartbeat as down', () => {
    expect(serviceState(record({updatedAt: ago(-5)}), NOW, DOWN_TIME)).toBe('down')
  })
})

describe('viewService', () => {
  it('shows status from disabled and the computed state', () => {
    expect(viewService(record({disabled: true, disabledReason: 'maintenance', updatedAt: ago(5)}), NOW, DOWN_TIME)).toEqual({
      id: 1,
      host: 'h1',
      binary: 'steward-share',
      topic: 'share',
      zone: 'nova',
      status: 'disabled',
      state: 'up',
      updatedAt: ago(5),
      createdAt: '2030-06-01T10:00:00.000Z',
      reportCount: 3,
      disabledReason: 'maintenance',
    })
    expect(viewService(record(), NOW, DOWN_TIME)).toMatchObject({status: 'enabled', state: 'down'})
  })
})

describe('hostProcessOf', () => {
  it('names the host process of a service host, with or without a backend', () => {
    expect([hostProcessOf('node1@lvm'), hostProcessOf('node1')]).toEqual(['node1', 'node1'])
  })
})
