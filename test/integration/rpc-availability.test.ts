import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {silentLogger} from '../../src/log/logger.js'
import {createContext} from '../../src/rpc/context.js'
import {PeerConnection} from '../../src/rpc/peer-connection.js'
import type {HostView} from '../../src/commands/hosts.js'
import type {ServiceView} from '../../src/service/service-state.js'
import {openStore} from '../../src/store/index.js'
import {callJson, rpcTestDir, startHost, transports} from '../helpers/rpc-hosts.js'
import {eventually, killLeftovers, runCli, runJson} from '../helpers/steward-process.js'


afterEach(killLeftovers)

describe.each(transports)('RPC when hosts stop, hang or are unreachable, over %s', (transport, options) => {
  it('steward hosts lists each host with its endpoint, pid, start time and state; after SIGTERM it reads stopped', async () => {
    const dir = await rpcTestDir(options)
    const startedAfter = Date.now()
    const [hostA, hostB] = await Promise.all([startHost(dir, 'A'), startHost(dir, 'B')])
    const listed = await runJson<HostView[]>(['hosts'], {cwd: dir})
    expect(listed.map((host) => host.name).sort()).toEqual(['A', 'B'])
    for (const [name, child] of [['A', hostA], ['B', hostB]] as const) {
      const view = listed.find((host) => host.name === name)!
      expect(view).toMatchObject({pid: child.child.pid, state: 'up', curve: false})
      expect(Date.parse(view.startedAt)).toBeGreaterThanOrEqual(startedAfter)
      expect(Date.parse(view.startedAt)).toBeLessThanOrEqual(Date.now())
      if (transport === 'ipc') expect(view.endpoint).toBe(`ipc://${path.join(dir, 'state', 'rpc', `${name}.sock`)}`)
      else expect(view.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/)
    }
    // Port 0 gave each host a port of its own.
    expect(new Set(listed.map((host) => host.endpoint)).size).toBe(2)

    hostB.kill('SIGTERM')
    expect(await hostB.exited).toEqual({code: 0, signal: null})
    const after = await runJson<HostView[]>(['hosts'], {cwd: dir})
    expect(after.map(({name, state}) => ({name, state})).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      {name: 'A', state: 'up'},
      {name: 'B', state: 'stopped'},
    ])
  })

  it('a call to a host that does not answer fails with MESSAGING_TIMEOUT naming the topic, method and message id', async () => {
    const dir = await rpcTestDir(options)
    const [, hostB] = await Promise.all([startHost(dir, 'A'), startHost(dir, 'B')])
    // Stopped, B's socket still accepts connections but nothing reads them.
    hostB.kill('SIGSTOP')
    try {
      const {code, error} = await callJson(dir, 'probe', 'whoami', undefined, '--server', 'B', '--timeout', '1')
      expect(code).toBe(75)
      expect(error).toMatchObject({code: 'MESSAGING_TIMEOUT', data: {topic: 'probe', server: 'B', method: 'whoami', messageId: expect.any(String)}})
      expect(error!.message).toContain('probe.whoami')
      expect(error!.message).toContain(`message ID ${String(error!.data.messageId)}`)
      // A still answers meanwhile.
      expect((await callJson(dir, 'probe', 'whoami', undefined, '--server', 'A')).result).toBe('A')
    } finally {
      // Running again, B can be killed (a stopped process only dies of SIGKILL).
      hostB.kill('SIGCONT')
    }
  })

  // rpc_response_timeout is 600 s: a call that waited instead of failing fast would hit the test's
  // timeout, so no timing threshold needs asserting.
  it('fails at once with NO_SERVICE_AVAILABLE when the only host was killed and service_down_time has passed', async () => {
    const dir = await rpcTestDir(options, {service_down_time: 2, rpc_response_timeout: 600})
    const host = await startHost(dir, 'A')
    host.kill('SIGKILL')
    await host.exited
    await eventually(async () => {
      const [service] = await runJson<ServiceView[]>(['services', 'list'], {cwd: dir})
      return service!.state === 'down' ? service : undefined
    }, 'the killed host to read down')

    for (const target of [[], ['--server', 'A']]) {
      const {code, error} = await callJson(dir, 'probe', 'whoami', undefined, ...target)
      expect(code).toBe(69)
      expect(error).toMatchObject({code: 'NO_SERVICE_AVAILABLE', data: {topic: 'probe', method: 'whoami'}})
    }
    const castResult = await runCli(['cast', 'probe', 'record', '{"tag": "lost"}'], {cwd: dir})
    expect(castResult.code).toBe(69)
    expect(castResult.stderr).toContain('NO_SERVICE_AVAILABLE')
  })

  it('fails at once with NO_SERVICE_AVAILABLE when the only host stopped cleanly, without waiting for service_down_time', async () => {
    const dir = await rpcTestDir(options, {service_down_time: 600, rpc_response_timeout: 600})
    const host = await startHost(dir, 'A')
    host.kill('SIGTERM')
    expect(await host.exited).toEqual({code: 0, signal: null})
    for (const target of [[], ['--server', 'A']]) {
      const {code, error} = await callJson(dir, 'probe', 'whoami', undefined, ...target)
      expect(code).toBe(69)
      expect(error).toMatchObject({code: 'NO_SERVICE_AVAILABLE', data: {topic: 'probe', method: 'whoami'}})
    }
  })

  it("serves a manager's call to its own host's service in-process, without the host's endpoint", async () => {
    const dir = await rpcTestDir(options)
    await Promise.all([startHost(dir, 'A'), startHost(dir, 'B')])
    const store = await openStore({stateDir: path.join(dir, 'state')})
    const {endpoint} = (await store.listHosts()).find((host) => host.name === 'A')!
    // The test reaches A through a connection to its real endpoint, opened before the change below.
    const toA = new PeerConnection(endpoint, silentLogger)
    const callA = (method: string, args: Record<string, unknown>): Promise<unknown> => toA.call({topic: 'probe', server: 'A', method, ctx: createContext('vitest')}, args, 10_000)
    try {
      expect(await callA('whoami', {})).toBe('A')
      // A's record now points where nothing listens: a request to A routed through the store and a
      // socket can no longer arrive. (The server's counters are not visible from outside, so this
      // is the observable proof that no socket carries A's calls to itself.)
      const nowhere = `ipc://${path.join(dir, 'nowhere.sock')}`
      await store.updateHost('A', {endpoint: nowhere})

      expect(await callA('relay', {server: 'A', method: 'echo', args: {n: 1}})).toEqual({result: {args: {n: 1}, host: 'A', caller: 'A'}})
      // A topic alone also stays on A while A serves it, though B serves it too.
      for (let index = 0; index < 3; index++) expect(await callA('relay', {method: 'whoami'})).toEqual({result: 'A'})

      // The control: B, which must go through the store and a socket, cannot reach A any more.
      const fromB = await callJson(dir, 'probe', 'relay', {server: 'A', method: 'whoami', timeout: 1}, '--server', 'B')
      expect(fromB.error).toMatchObject({code: 'MESSAGING_TIMEOUT', data: {server: 'A', method: 'whoami', endpoint: nowhere}})
    } finally {
      await toA.close()
      await store.close()
    }
  })
})
