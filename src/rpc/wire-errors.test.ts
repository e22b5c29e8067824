import {describe, expect, it} from 'vitest'
import {errorCatalog, isStewardError, StewardError} from '../errors/index.js'
import {decode, encode} from './protocol.js'
import {fromWireError, isWireError, RemoteError, toWireError, type WireError} from './wire-errors.js'

/** A plugin's own error: a code and data steward does not know. */
class QuotaError extends Error {
  override readonly name = 'QuotaError'
  readonly code = 'QUOTA_EXCEEDED'
  readonly data = {limit: 10, used: 12}
  readonly retryable = true
}

/** Send an error through the codec, as a host answers a call, and rebuild it as the caller does. */
function acrossTheWire(error: unknown): StewardError | RemoteError {
  const frames = encode([{type: 'error', id: 'e1', header: {}, body: toWireError(error)}]).map((frame) => Buffer.from(frame))
  const [message] = decode(frames).messages
  if (message?.type !== 'error') throw new Error('expected an error message')
  return fromWireError(message.body)
}

describe('toWireError', () => {
  it('keeps a StewardError whole', () => {
    const error = new StewardError('LOCK_ACQUIRE_FAILED', 'lock held', {data: {lock: 'x'}, retryable: true, suggestions: ['wait']})
    expect(toWireError(error)).toEqual({name: 'StewardError', code: 'LOCK_ACQUIRE_FAILED', message: 'lock held', data: {lock: 'x'}, retryable: true, suggestions: ['wait']})
    expect(acrossTheWire(error)).toMatchObject({code: 'LOCK_ACQUIRE_FAILED', suggestions: ['wait']})
    expect(toWireError(new StewardError('LOCK_ACQUIRE_FAILED', 'lock held'))).not.toHaveProperty('suggestions')
  })

  it('carries a plugin error\'s suggestions, and drops them when they are not strings', () => {
    const advised = Object.assign(new QuotaError('over quota'), {suggestions: ['Delete a share first: steward share delete ID']})
    const rebuilt = acrossTheWire(advised)
    expect(rebuilt).toBeInstanceOf(RemoteError)
    expect(rebuilt.suggestions).toEqual(['Delete a share first: steward share delete ID'])
    expect(toWireError(Object.assign(new QuotaError('over quota'), {suggestions: [1, 2]}))).not.toHaveProperty('suggestions')
    expect(isWireError({...toWireError(advised), suggestions: 'no'})).toBe(false)
  })

  it('keeps a plugin error\'s name, code, data and retryable', () => {
    expect(toWireError(new QuotaError('over quota'))).toEqual({name: 'QuotaError', code: 'QUOTA_EXCEEDED', message: 'over quota', data: {limit: 10, used: 12}, retryable: true})
  })

  it('gives a plain error the code REMOTE_ERROR and empty data', () => {
    expect(toWireError(new RangeError('out of range'))).toEqual({name: 'RangeError', code: 'REMOTE_ERROR', message: 'out of range', data: {}, retryable: false})
  })

  it('turns thrown non-errors into an Error with REMOTE_ERROR', () => {
    for (const [thrown, message] of [['boom', 'boom'], [42, '42'], [null, 'null'], [undefined, 'undefined']] as const) {
      expect(toWireError(thrown)).toEqual({name: 'Error', code: 'REMOTE_ERROR', message, data: {}, retryable: false})
    }
  })

  it('drops data that is not an object, and fields of the wrong type', () => {
    const odd = {name: 7, code: 9, message: {}, data: [1, 2], retryable: 'yes'}
    expect(toWireError(odd)).toEqual({name: 'Error', code: 'REMOTE_ERROR', message: '[object Object]', data: {}, retryable: false})
    expect(isWireError(toWireError(odd))).toBe(true)
  })
})

describe('fromWireError', () => {
  it('rebuilds a steward code as a StewardError with its exit code', () => {
    const rebuilt = acrossTheWire(new StewardError('NO_SUCH_METHOD', 'no method x', {data: {method: 'x'}}))
    expect(rebuilt).toBeInstanceOf(StewardError)
    expect(isStewardError(rebuilt, 'NO_SUCH_METHOD')).toBe(true)
    expect({message: rebuilt.message, data: rebuilt.data, retryable: rebuilt.retryable, exitCode: rebuilt.exitCode}).toEqual({
      message: 'no method x',
      data: {method: 'x'},
      retryable: false,
      exitCode: errorCatalog.NO_SUCH_METHOD.exitCode,
    })
  })

  it('rebuilds every catalog code', () => {
    for (const code of Object.keys(errorCatalog) as Array<keyof typeof errorCatalog>) {
      const rebuilt = acrossTheWire(new StewardError(code, `failed with ${code}`, {retryable: true}))
      expect(isStewardError(rebuilt, code)).toBe(true)
      expect(rebuilt.retryable).toBe(true)
    }
  })

  it('rebuilds anything else as a RemoteError that keeps the code, data and remote name', () => {
    const rebuilt = acrossTheWire(new QuotaError('over quota'))
    expect(rebuilt).toBeInstanceOf(RemoteError)
    const remote = rebuilt as RemoteError
    expect({name: remote.name, remoteName: remote.remoteName, code: remote.code, message: remote.message, data: remote.data, retryable: remote.retryable}).toEqual({
      name: 'RemoteError',
      remoteName: 'QuotaError',
      code: 'QUOTA_EXCEEDED',
      message: 'over quota',
      data: {limit: 10, used: 12},
      retryable: true,
    })
    expect(remote.exitCode).toBe(errorCatalog.REMOTE_ERROR.exitCode)
    expect(isStewardError(remote)).toBe(false)
  })

  it('does not take a catalog code from another error class, nor an unknown code from a StewardError', () => {
    const borrowed: WireError = {name: 'PluginError', code: 'NO_SUCH_METHOD', message: 'm', data: {}, retryable: false}
    expect(fromWireError(borrowed)).toBeInstanceOf(RemoteError)
    for (const code of ['NOT_A_CODE', 'constructor', '__proto__', 'toString']) {
      const rebuilt = fromWireError({name: 'StewardError', code, message: 'm', data: {}, retryable: false})
      expect(rebuilt).toBeInstanceOf(RemoteError)
      expect((rebuilt as RemoteError).code).toBe(code)
    }
  })
})

describe('isWireError', () => {
  const good: WireError = {name: 'E', code: 'C', message: 'm', data: {}, retryable: false}
  it('takes exactly {name, code, message, data, retryable} of the right types', () => {
    expect(isWireError(good)).toBe(true)
    expect(isWireError({...good, extra: 1})).toBe(true)
    for (const bad of [null, [], 'e', {...good, name: 1}, {...good, code: null}, {...good, message: undefined}, {...good, data: []}, {...good, data: null}, {...good, retryable: 0}]) {
      expect(isWireError(bad)).toBe(false)
    }
  })
})
