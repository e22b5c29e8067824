import {describe, expect, it} from 'vitest'
import {isStewardError, type StewardError} from '../errors/index.js'
import {canSendVersion, isCompatible, isVersion, parseVersion} from './version.js'

describe('parseVersion and isVersion', () => {
  it('reads major.minor as numbers', () => {
    expect(parseVersion('1.3')).toEqual({major: 1, minor: 3})
    expect(parseVersion('0.0')).toEqual({major: 0, minor: 0})
    expect(parseVersion('12.105')).toEqual({major: 12, minor: 105})
    expect(isVersion('1.3')).toBe(true)
  })

  it.each(['1', '1.', '.1', 'a.b', '1.2.3', ' 1.2', '1.2 ', 'v1.2', '1,2', '-1.2', '1234567.0', ''])('refuses %j with INVALID_TARGET', (text) => {
    expect(isVersion(text)).toBe(false)
    let thrown: unknown
    try {
      parseVersion(text)
    } catch (error) {
      thrown = error
    }
    expect(isStewardError(thrown, 'INVALID_TARGET')).toBe(true)
    expect((thrown as StewardError).data).toEqual({version: text})
  })

  it('is false for anything but a string', () => {
    for (const value of [1.2, null, undefined, {major: 1, minor: 2}, ['1.2']]) expect(isVersion(value)).toBe(false)
  })
})

describe('isCompatible(served, requested)', () => {
  it.each([
    ['1.3', '1.0', true],
    ['1.3', '1.3', true],
    ['1.3', '1.4', false],
    ['1.3', '2.0', false],
    ['2.0', '1.0', false],
    ['2.5', '1.5', false],
    ['1.0', '0.9', false],
    ['1.10', '1.9', true],
    ['1.9', '1.10', false],
  ])('a server of %s answers a request for %s: %s', (served, requested, expected) => {
    expect(isCompatible(served, requested)).toBe(expected)
  })
})

describe('canSendVersion(cap, version)', () => {
  it('sends anything, even no version, without a cap', () => {
    expect(canSendVersion(undefined, undefined)).toBe(true)
    expect(canSendVersion(undefined, '1.0')).toBe(true)
    expect(canSendVersion(undefined, '99.99')).toBe(true)
  })

  it('refuses a message without a version under a cap', () => {
    expect(canSendVersion('1.1', undefined)).toBe(false)
  })

  it.each([
    ['1.1', '1.0', true],
    ['1.1', '1.1', true],
    ['1.1', '1.2', false],
    ['1.1', '2.0', false],
    ['2.0', '1.9', false],
    ['1.10', '1.2', true],
  ])('under cap %s, version %s may be sent: %s', (cap, version, expected) => {
    expect(canSendVersion(cap, version)).toBe(expected)
  })
})
