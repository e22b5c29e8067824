import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isStewardError, StewardError} from '../../src/errors/index.js'
import {createContext} from '../../src/rpc/context.js'
import {RemoteError} from '../../src/rpc/wire-errors.js'
import {callJson, openTestClient, rpcTestDir, startHost, transports} from '../helpers/rpc-hosts.js'
import {killLeftovers, runCli, type StewardProcess} from '../helpers/steward-process.js'

/** The rejection of a promise that must reject. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection, got a result')
}

describe.each(transports)('RPC versions and errors between host processes over %s', (_transport, options) => {
  let dir: string
  let hostB: StewardProcess

  // A serves the CLI's calls to B in the tests that relay; the probe on both serves 1.3. The hosts
  // are shared by the block and killed when it ends, even after a failure.
  beforeAll(async () => {
    dir = await rpcTestDir(options)
    ;[, hostB] = await Promise.all([startHost(dir, 'A'), startHost(dir, 'B')])
  })
  afterAll(killLeftovers)

  it('serves a request for the same major and a minor up to its own, and refuses others with UNSUPPORTED_VERSION', async () => {
    for (const version of ['1.0', '1.2', '1.3']) {
      const {code, result} = await callJson(dir, 'probe', 'whoami', undefined, '--server', 'B', '--version', version)
      expect({version, code, result}).toEqual({version, code: 0, result: 'B'})
    }
    for (const version of ['1.4', '2.0', '0.3']) {
      const {code, error} = await callJson(dir, 'probe', 'whoami', undefined, '--server', 'B', '--version', version)
      expect(code).toBe(1)
      expect(error).toMatchObject({code: 'UNSUPPORTED_VERSION', data: {topic: 'probe', server: 'B', method: 'whoami', served: '1.3', requested: version}})
    }
  })

  it('refuses to send above a versionCap (RPC_VERSION_CAP), and canSendVersion says so beforehand', async () => {
    const {client, close} = await openTestClient(dir)
    try {
      const ctx = createContext('vitest')
      const capped = client.prepare({topic: 'probe', server: 'B', version: '1.2', versionCap: '1.1'})
      expect([capped.canSendVersion('1.0'), capped.canSendVersion('1.1'), capped.canSendVersion('1.2'), capped.canSendVersion('2.0')]).toEqual([true, true, false, false])
      const refused = await rejection(capped.call(ctx, 'whoami'))
      expect(isStewardError(refused, 'RPC_VERSION_CAP')).toBe(true)
      expect((refused as StewardError).data).toEqual({method: 'whoami', version: '1.2', versionCap: '1.1'})
      expect(isStewardError(await rejection(capped.cast(ctx, 'record', {tag: 'capped'})), 'RPC_VERSION_CAP')).toBe(true)
      // Within the cap the same client is served (B serves 1.3 ≥ 1.1).
      expect(await client.prepare({topic: 'probe', server: 'B', version: '1.1', versionCap: '1.1'}).call(ctx, 'whoami')).toBe('B')
    } finally {
      await close()
    }
    // The capped cast never left: B recorded nothing.
    expect((await callJson<unknown[]>(dir, 'probe', 'recorded', {}, '--server', 'B')).result).toEqual([])
  })

  it('answers NO_SUCH_METHOD for an unknown method and for a manager method that is not declared', async () => {
    for (const method of ['nosuch', 'cleanupHost', 'initHost']) {
      const {code, error} = await callJson(dir, 'probe', method, undefined, '--server', 'B')
      expect(code).toBe(1)
      expect(error).toMatchObject({code: 'NO_SUCH_METHOD', data: {topic: 'probe', server: 'B', method}})
    }
  })

  it('never runs a method whose name starts with _', async () => {
    // Over the wire the host refuses the request itself (docs/errors.md, PROTOCOL_ERROR)...
    const remote = await callJson(dir, 'probe', '_secret', undefined, '--server', 'B')
    expect(remote.code).toBe(1)
    expect(remote.error).toMatchObject({code: 'PROTOCOL_ERROR', message: expect.stringContaining('"_secret" is private')})
    // ...and a manager calling its own host's service finds no such RPC method.
    const local = await callJson(dir, 'probe', 'relay', {server: 'B', method: '_secret'}, '--server', 'B')
    expect(local.error).toMatchObject({code: 'NO_SUCH_METHOD', data: {method: '_secret'}})
    // B still answers, and the method never ran.
    expect((await callJson(dir, 'probe', 'whoami', undefined, '--server', 'B')).result).toBe('B')
    expect(hostB.output).not.toContain('PROBE SECRET RAN')
  })

  it("rebuilds a plugin's error as a RemoteError with its code, message and data", async () => {
    const args = {code: 'PROBE_FAILED', message: 'the probe failed on purpose', data: {share: 's1', sizes: [1, 2]}}
    const text = await runCli(['call', 'probe', 'fail', JSON.stringify(args), '--server', 'B'], {cwd: dir})
    expect(text.code).toBe(1)
    expect(text.stderr).toContain('Error: the probe failed on purpose\nCode: PROBE_FAILED')
    expect(text.stderr).not.toMatch(/^\s+at /m)

    const json = await callJson(dir, 'probe', 'fail', args, '--server', 'B')
    expect(json.code).toBe(1)
    // The same envelope as steward's own errors; the remote class name travels in data.
    expect(json.error).toEqual({code: 'PROBE_FAILED', message: args.message, suggestions: [], data: {...args.data, remoteName: 'ProbeError'}})

    const {client, close} = await openTestClient(dir)
    try {
      const error = await rejection(client.prepare({topic: 'probe', server: 'B'}).call(createContext('vitest'), 'fail', args))
      expect(error).toBeInstanceOf(RemoteError)
      expect(error).toMatchObject({code: 'PROBE_FAILED', remoteName: 'ProbeError', message: args.message, data: args.data, retryable: false})
    } finally {
      await close()
    }
  })

  it('rebuilds a steward error thrown remotely as a StewardError with its catalog code', async () => {
    const {code, error} = await callJson(dir, 'probe', 'failSteward', {lock: 'volumes'}, '--server', 'B')
    // LOCK_ACQUIRE_FAILED exits 75, a RemoteError 1: the CLI knew the code.
    expect(code).toBe(75)
    expect(error).toMatchObject({code: 'LOCK_ACQUIRE_FAILED', message: 'The probe on B could not take the lock volumes.', data: {lock: 'volumes', host: 'B'}})

    const {client, close} = await openTestClient(dir)
    try {
      const rebuilt = await rejection(client.prepare({topic: 'probe', server: 'B'}).call(createContext('vitest'), 'failSteward', {lock: 'volumes'}))
      expect(rebuilt).toBeInstanceOf(StewardError)
      expect(rebuilt).toMatchObject({code: 'LOCK_ACQUIRE_FAILED', retryable: true, data: {lock: 'volumes', host: 'B'}, exitCode: 75})
    } finally {
      await close()
    }
  })

  it("keeps concurrent calls on one connection apart: a slow call does not hold up a fast one", async () => {
    const {client, close} = await openTestClient(dir)
    try {
      const probe = client.prepare({topic: 'probe', server: 'B'})
      const order: string[] = []
      const slow = probe.call(createContext('vitest'), 'slow', {ms: 500}).then((result) => order.push('slow') && result)
      const fast = probe.call(createContext('vitest'), 'echo', {n: 1}).then((result) => order.push('fast') && result)
      expect(await Promise.all([slow, fast])).toEqual([{slept: 500, host: 'B'}, {args: {n: 1}, host: 'B', caller: 'vitest'}])
      expect(order).toEqual(['fast', 'slow'])
    } finally {
      await close()
    }
  })
})
