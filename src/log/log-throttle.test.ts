import {describe, expect, it} from 'vitest'
import {LogThrottle} from './log-throttle.js'

describe('LogThrottle', () => {
  it('lets the first occurrence of a key through each interval, and other keys independently', () => {
    const throttle = new LogThrottle(60_000)
    expect(throttle.allow('a', 1000)).toBe(true)
    expect(throttle.allow('a', 30_000)).toBe(false)
    expect(throttle.allow('b', 30_000)).toBe(true)
    expect(throttle.allow('a', 60_999)).toBe(false)
    expect(throttle.allow('a', 61_000)).toBe(true)
  })

  it('stays bounded: past maxKeys it forgets, so a key may log again early but memory does not grow', () => {
    const throttle = new LogThrottle(60_000, 3)
    for (const key of ['a', 'b', 'c']) expect(throttle.allow(key, 0)).toBe(true)
    expect(throttle.allow('d', 0)).toBe(true)
    expect(throttle.allow('a', 1)).toBe(true)
  })
})
