import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {callJson, cast, rpcTestDir, startHost, transports} from '../helpers/rpc-hosts.js'
import type {MonitorModel} from '../../src/monitor/telemetry.js'
import {killLeftovers, runJson, type StewardProcess} from '../helpers/steward-process.js'

interface CapabilityReport {
  serviceName: string
  host: string
  capabilities: unknown
  timestamp: string
}

/** A pattern matching this text literally. */
const literally = (text: string): RegExp => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))

const accepted = (from: string, capabilities: unknown): RegExp => literally(`scheduler accepted ${from}: ${JSON.stringify(capabilities)}\n`)

describe.each(transports)('capability reports from SchedulerDependentManager to schedulers in other processes, over %s', (transport, options) => {
  let dir: string
  let hostA: StewardProcess
  let hostB: StewardProcess
  const configured = {pool: 'fast', free_gb: 100}

  // A runs a scheduler; B runs the reporter and a scheduler of its own, so the reporter's fanout
  // reaches one scheduler through a socket and one in-process. The reporter publishes every
  // second. Shared by the block, killed when it ends.
  beforeAll(async () => {
    dir = await rpcTestDir(options, {reporter: {manager: 'probe-reporter', capabilities: configured}})
    hostA = await startHost(dir, 'A', ['scheduler'])
    hostB = await startHost(dir, 'B', ['reporter', 'scheduler'])
  })
  afterAll(killLeftovers)

  it('the periodic publish fans the capabilities out to every scheduler, on another host and on its own', async () => {
    await Promise.all([hostA.waitForOutput(accepted('reporter@B', configured)), hostB.waitForOutput(accepted('reporter@B', configured))])
    for (const scheduler of ['A', 'B']) {
      const {result} = await callJson<CapabilityReport[]>(dir, 'scheduler', 'capabilities', {}, '--server', scheduler)
      expect(result).toEqual([{serviceName: 'reporter', host: 'B', capabilities: configured, timestamp: expect.any(String)}])
      // The timestamp is the publisher's clock at the time of sending (the same machine's here).
      expect(Date.now() - Date.parse(result![0]!.timestamp)).toBeLessThan(60_000)
    }
  })

  it('a monitor shows the capabilities a service reports, and what each scheduler holds', async () => {
    await Promise.all([hostA.waitForOutput(accepted('reporter@B', configured)), hostB.waitForOutput(accepted('reporter@B', configured))])
    const model = await runJson<MonitorModel>(['monitor', '--once'], {cwd: dir})
    const telemetry = (host: string, binary: string) => model.services.find((service) => service.host === host && service.binary === binary)?.telemetry
    expect(telemetry('B', 'steward-reporter')?.capabilities).toEqual(configured)
    expect(telemetry('A', 'steward-scheduler')?.capabilities).toEqual({'reporter@B': configured})
  })

  it('capabilities changed through RPC are what the next publish sends', async () => {
    const changed = {pool: 'fast', free_gb: 7, transport}
    expect((await callJson(dir, 'reporter', 'setCapabilities', {capabilities: changed}, '--server', 'B')).code).toBe(0)
    await hostA.waitForOutput(accepted('reporter@B', changed))
    const {result} = await callJson<CapabilityReport[]>(dir, 'scheduler', 'capabilities', {}, '--server', 'A')
    expect(result!.find((report) => report.host === 'B')!.capabilities).toEqual(changed)
  })

  it('a scheduler ignores a report older than the one it holds, and takes a first report however old', async () => {
    const old = '2000-01-01T00:00:00.000Z'
    const stale = {serviceName: 'reporter', host: 'B', capabilities: {stale: transport}, timestamp: old}
    await cast(dir, 'scheduler', 'updateServiceCapabilities', stale, '--server', 'A')
    await hostA.waitForOutput(literally(`scheduler ignored a stale report from reporter@B of ${old}: ${JSON.stringify(stale.capabilities)}`))
    const held = (await callJson<CapabilityReport[]>(dir, 'scheduler', 'capabilities', {}, '--server', 'A')).result!.find((report) => report.host === 'B')!
    expect(held.capabilities).not.toEqual(stale.capabilities)
    expect(Date.parse(held.timestamp)).toBeGreaterThan(Date.parse(old))

    const first = {serviceName: 'reporter', host: 'Z', capabilities: {first: transport}, timestamp: old}
    await cast(dir, 'scheduler', 'updateServiceCapabilities', first, '--server', 'A')
    await hostA.waitForOutput(accepted('reporter@Z', first.capabilities))
  })
})
