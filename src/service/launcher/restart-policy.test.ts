import {describe, expect, it} from 'vitest'
import {RestartPolicy} from './restart-policy.js'

describe('RestartPolicy', () => {
  it('doubles the delay for each unstable exit in a row, up to the cap', () => {
    const policy = new RestartPolicy({minUptimeMs: 1000, maxRestarts: 10, initialDelayMs: 100, maxDelayMs: 1000})
    const delays = Array.from({length: 6}, () => policy.exited(undefined)).map((decision) => (decision.kind === 'restart' ? decision.delayMs : -1))
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000])
  })

  it('marks the slot errored after maxRestarts unstable exits in a row', () => {
    const policy = new RestartPolicy({minUptimeMs: 1000, maxRestarts: 2})
    expect(policy.exited(undefined).kind).toBe('restart')
    expect(policy.exited(10).kind).toBe('restart')
    expect(policy.exited(undefined)).toEqual({kind: 'errored', unstableExits: 3})
  })

  it('restarts a worker that ran long enough at once and forgets the unstable exits', () => {
    const policy = new RestartPolicy({minUptimeMs: 1000, maxRestarts: 1})
    expect(policy.exited(undefined).kind).toBe('restart')
    expect(policy.exited(5000)).toEqual({kind: 'restart', delayMs: 0, unstableExits: 0})
    expect(policy.exited(undefined).kind).toBe('restart')
  })

  it('gives an errored slot a fresh start on reset', () => {
    const policy = new RestartPolicy({minUptimeMs: 1000, maxRestarts: 0})
    expect(policy.exited(undefined).kind).toBe('errored')
    policy.reset()
    expect(policy.exited(undefined).kind).toBe('errored')
    policy.reset()
    expect(policy.exited(2000).kind).toBe('restart')
  })
})
