import {describe, expect, it} from 'vitest'
import {traceDriver, withTraceParent} from './traced-driver.js'
import type {DriverCallRecord} from './tracing.js'

class FakeDriver {
  readonly #root = '/srv'
  calls = 0
  async create(size: number): Promise<string> {
    this.calls++
    return `${this.#root}/${size}`
  }
  fail(): never {
    throw Object.assign(new Error('no space'), {code: 'ENOSPC'})
  }
  helper(): string {
    return 'not traced'
  }
}

const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'

describe('traceDriver', () => {
  it('times the family\'s methods called under a trace parent, with their errors', async () => {
    const calls: DriverCallRecord[] = []
    const driver = traceDriver(new FakeDriver(), 'fake', ['create', 'fail'], (call) => calls.push(call))
    // Private fields work: the method runs on the driver itself, not on the proxy.
    expect(await withTraceParent(parent, () => driver.create(3))).toBe('/srv/3')
    expect(() => withTraceParent(parent, () => driver.fail())).toThrow('no space')
    withTraceParent(parent, () => driver.helper())
    expect(calls.map(({driver: name, method, traceParent, error}) => ({name, method, traceParent, error}))).toEqual([
      {name: 'fake', method: 'create', traceParent: parent, error: undefined},
      {name: 'fake', method: 'fail', traceParent: parent, error: {code: 'ENOSPC', message: 'no space'}},
    ])
    expect(calls[0]!.durationMs).toBeGreaterThanOrEqual(0)
    expect(driver.calls).toBe(1)
  })

  it('leaves calls outside any request untimed (a manager\'s initHost)', async () => {
    const calls: DriverCallRecord[] = []
    const driver = traceDriver(new FakeDriver(), 'fake', ['create'], (call) => calls.push(call))
    await driver.create(1)
    expect(calls).toEqual([])
  })
})
