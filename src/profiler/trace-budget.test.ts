import {describe, expect, it} from 'vitest'
import {TraceBudget} from './trace-budget.js'

function taken(budget: TraceBudget, times: number): number {
  let count = 0
  for (let index = 0; index < times; index++) if (budget.take()) count++
  return count
}

describe('TraceBudget', () => {
  it('lets a second\'s worth through at once, then as many a second as the limit', () => {
    let clock = 0
    const budget = new TraceBudget(100, () => clock)
    expect(taken(budget, 1000)).toBe(100)
    clock += 250
    expect(taken(budget, 1000)).toBe(25)
    clock += 10_000
    expect(taken(budget, 1000)).toBe(100)
    expect([budget.granted, budget.refused]).toEqual([225, 2775])
  })

  it('keeps a fractional limit: one trace every two seconds at 0.5', () => {
    let clock = 0
    const budget = new TraceBudget(0.5, () => clock)
    expect(taken(budget, 10)).toBe(1)
    clock += 1000
    expect(taken(budget, 10)).toBe(0)
    clock += 1000
    expect(taken(budget, 10)).toBe(1)
  })

  it('does not limit at 0', () => {
    expect(taken(new TraceBudget(0, () => 0), 10_000)).toBe(10_000)
  })
})
