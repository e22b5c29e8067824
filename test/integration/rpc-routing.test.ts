import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createContext} from '../../src/rpc/context.js'
import {callJson, cast, openTestClient, rpcTestDir, startHost, transports} from '../helpers/rpc-hosts.js'
import {killLeftovers, type StewardProcess} from '../helpers/steward-process.js'

const names = ['A', 'B', 'C'] as const

describe.each(transports)('RPC routing between host processes over %s', (transport, options) => {
  let dir: string
  const hosts = new Map<string, StewardProcess>()
  const host = (name: string): StewardProcess => hosts.get(name)!

  // Three hosts serve every test of the block (none of them changes what the hosts are); they
  // are killed when the block ends, even after a failure.
  beforeAll(async () => {
    dir = await rpcTestDir(options)
    const started = await Promise.all(names.map((name) => startHost(dir, name)))
    names.forEach((name, index) => hosts.set(name, started[index]!))
  })
  afterAll(killLeftovers)

  it('a call with --server reaches that host, with the arguments and the caller', async () => {
    for (const server of names) {
      const {code, result} = await callJson(dir, 'probe', 'echo', {asked: server, nested: {list: [1, 2]}}, '--server', server)
      expect(code).toBe(0)
      expect(result).toEqual({args: {asked: server, nested: {list: [1, 2]}}, host: server, caller: expect.stringMatching(/^cli@/)})
    }
  })

  it('a cast with --server reaches that host only, seen by its effect', async () => {
    const tag = `cast-${transport}`
    await cast(dir, 'probe', 'record', {tag}, '--server', 'B')
    await host('B').waitForOutput(new RegExp(`probe recorded ${tag} from cli@`))
    for (const other of ['A', 'C']) {
      const {result} = await callJson<Array<{tag: string}>>(dir, 'probe', 'recorded', {}, '--server', other)
      expect(result!.map((record) => record.tag)).not.toContain(tag)
    }
  })

  it('a topic alone round-robins over the live hosts', async () => {
    // One client: the rotation goes through every host before it comes back to the first.
    const {client, close} = await openTestClient(dir)
    try {
      const prepared = client.prepare({topic: 'probe'})
      const answers: unknown[] = []
      for (let index = 0; index < 6; index++) answers.push(await prepared.call(createContext('vitest'), 'whoami'))
      expect(answers.slice(0, 3).sort()).toEqual(['A', 'B', 'C'])
      expect(answers.slice(3)).toEqual(answers.slice(0, 3))
    } finally {
      await close()
    }
    // One CLI process per call: each starts the rotation somewhere else, so all hosts answer.
    // (Sending up to 30 calls makes missing one of three hosts a 1-in-60,000 chance.)
    const seen = new Set<unknown>()
    for (let index = 0; index < 30 && seen.size < names.length; index++) {
      const {code, result} = await callJson(dir, 'probe', 'whoami')
      expect(code).toBe(0)
      seen.add(result)
    }
    expect([...seen].sort()).toEqual(['A', 'B', 'C'])
  })

  it('a manager calls and casts to another host through its own RPC client', async () => {
    const called = await callJson(dir, 'probe', 'relay', {server: 'B', method: 'echo', args: {hop: 1}}, '--server', 'A')
    expect(called.result).toEqual({result: {args: {hop: 1}, host: 'B', caller: 'A'}})

    const tag = `relayed-${transport}`
    const sent = await callJson(dir, 'probe', 'relay', {server: 'C', method: 'record', args: {tag}, cast: true}, '--server', 'A')
    expect(sent.result).toEqual({sent: true})
    await host('C').waitForOutput(new RegExp(`probe recorded ${tag} from A\\n`))
  })

  it('a fanout cast reaches all three hosts, from the CLI and from a host', async () => {
    const fromCli = `fanout-cli-${transport}`
    await cast(dir, 'probe', 'record', {tag: fromCli}, '--fanout')
    await Promise.all(names.map((name) => host(name).waitForOutput(new RegExp(`probe recorded ${fromCli} from cli@`))))

    // From B: its own service directly, A's and C's through their endpoints.
    const fromHost = `fanout-host-${transport}`
    await callJson(dir, 'probe', 'relay', {fanout: true, method: 'record', args: {tag: fromHost}}, '--server', 'B')
    await Promise.all(names.map((name) => host(name).waitForOutput(new RegExp(`probe recorded ${fromHost} from B\\n`))))
  })
})
