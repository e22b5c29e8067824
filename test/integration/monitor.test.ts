/**
 * The telemetry feed and `steward monitor` through real host processes: two hosts running the
 * probe service, the CLI and a MonitorClient in this process watching them.
 */
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {loadConfig} from '../../src/config/load-config.js'
import {MonitorClient} from '../../src/monitor/monitor-client.js'
import type {FeedEvent, MonitorModel, MonitoredService} from '../../src/monitor/telemetry.js'
import {openStore} from '../../src/store/index.js'
import {callJson, cast, fixturePlugins, rpcTestDir, startHost, transports} from '../helpers/rpc-hosts.js'
import {killLeftovers, makeTestDir, runCli, runJson, StewardProcess, writeConfig} from '../helpers/steward-process.js'

/** A MonitorClient on a test directory's store; close it when done. */
async function openMonitor(dir: string, configFile?: string): Promise<{client: MonitorClient; close: () => Promise<void>}> {
  const config = loadConfig({cwd: dir, env: {}, flags: {host: 'vitest', ...(configFile === undefined ? {} : {config: configFile})}})
  const store = await openStore({stateDir: config.options.state_dir})
  const client = await MonitorClient.open({store, downTimeSeconds: config.options.service_down_time})
  return {
    client,
    close: async () => {
      await client.close()
      await store.close()
    },
  }
}

/** The next feed event that matches, from a listener registered now (before what causes it). */
function nextEvent<T extends FeedEvent['type']>(client: MonitorClient, type: T, match: (event: Extract<FeedEvent, {type: T}>) => boolean): Promise<Extract<FeedEvent, {type: T}>> {
  return new Promise((resolve) => {
    const stop = client.onEvent((event) => {
      if (event.type !== type || !match(event as Extract<FeedEvent, {type: T}>)) return
      stop()
      resolve(event as Extract<FeedEvent, {type: T}>)
    })
  })
}

const probeOf = (model: MonitorModel, host: string): MonitoredService => model.services.find((service) => service.host === host && service.binary === 'steward-probe')!

describe.each(transports)('steward monitor over %s', (transport, options) => {
  let dir: string
  const hosts = new Map<string, StewardProcess>()

  beforeAll(async () => {
    dir = await rpcTestDir(options)
    const [a, b] = await Promise.all([startHost(dir, 'A'), startHost(dir, 'B')])
    hosts.set('A', a!).set('B', b!)
  })
  afterAll(killLeftovers)

  it('--once --json shows both hosts and their services with telemetry, with calls, casts and errors counted', async () => {
    for (let index = 0; index < 3; index++) expect((await callJson(dir, 'probe', 'echo', {index}, '--server', 'A')).code).toBe(0)
    expect((await callJson(dir, 'probe', 'nope', {}, '--server', 'A')).error).toMatchObject({code: 'NO_SUCH_METHOD'})
    for (const tag of ['one', 'two']) {
      await cast(dir, 'probe', 'record', {tag: `${tag}-${transport}`}, '--server', 'B')
      await hosts.get('B')!.waitForOutput(new RegExp(`probe recorded ${tag}-${transport}`))
    }

    const model = await runJson<MonitorModel>(['monitor', '--once'], {cwd: dir})
    expect(model.hosts.map((host) => [host.record.name, host.state, host.telemetry?.pid])).toEqual([
      ['A', 'up', hosts.get('A')!.child.pid],
      ['B', 'up', hosts.get('B')!.child.pid],
    ])
    expect(model.hosts[0]!.record.feedEndpoint).toMatch(transport === 'ipc' ? /^ipc:\/\/.*\/state\/rpc\/A\.feed\.sock$/ : /^tcp:\/\/127\.0\.0\.1:\d+$/)
    expect(model.hosts[0]!.telemetry).toMatchObject({name: 'A', uptimeSeconds: expect.any(Number), rssBytes: expect.any(Number), cpuPercent: expect.any(Number)})

    const a = probeOf(model, 'A')
    expect(a).toMatchObject({status: 'enabled', state: 'up', heartbeatAgeSeconds: expect.any(Number)})
    expect(a.telemetry).toMatchObject({
      manager: 'probe',
      plugin: {name: 'fixture-rpc-probe'},
      rpcApiVersion: '1.3',
      lifecycle: 'running',
      generation: {state: 'serving', generation: 1, reloads: 0},
      rpc: {calls: 4, casts: 0, errors: {NO_SUCH_METHOD: 1}, inFlight: 0},
    })
    expect(a.telemetry!.rpc.p99Ms).toBeGreaterThan(0)
    expect(a.telemetry!.rpc.perSecond).toBeGreaterThan(0)
    expect(probeOf(model, 'B').telemetry).toMatchObject({generation: {generation: 1}, rpc: {calls: 0, casts: 2, errors: {}}})

    // The same as tables.
    const text = await runCli(['monitor', '--once'], {cwd: dir})
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/Host\s+State\s+Pid\s+Uptime\s+RSS\s+Heap\s+CPU\s+Endpoint/)
    expect(text.stdout).toMatch(/Binary\s+Host\s+Status\s+State\s+Heartbeat\s+Generation\s+Reloads\s+In-flight\s+Calls\s+Calls\/s\s+p99\s+Errors/)
    expect(text.stdout).toMatch(/steward-probe\s+A\s+enabled\s+up\s+\d+s ago\s+1 serving\s+0\s+0\s+4\s+[\d.]+\s+[\d.]+ ms\s+1\n/)
  })

  it('a host\'s log line and a reload reach a monitor client', async () => {
    const {client, close} = await openMonitor(dir)
    try {
      // Once each host has sent its first snapshot, its other topics flow too.
      const first = await client.snapshotOnce()
      expect(first.hosts.every((host) => host.telemetry !== null)).toBe(true)

      const tag = `watched-${transport}`
      const logged = nextEvent(client, 'log', (event) => event.line.message.startsWith(`probe recorded ${tag}`))
      await cast(dir, 'probe', 'record', {tag}, '--server', 'A')
      expect((await logged).line).toMatchObject({host: 'A', level: 'info', fields: {service: 'steward-probe@A'}})
      expect(client.current().logs.some((line) => line.message.startsWith(`probe recorded ${tag}`))).toBe(true)

      const reloaded = nextEvent(client, 'reload', (event) => event.host === 'A' && event.binary === 'steward-probe')
      const asked = await runCli(['services', 'reload', 'probe', '--host', 'A'], {cwd: dir})
      expect(asked.code).toBe(0)
      expect((await reloaded).record).toMatchObject({ok: true, generation: 2, trigger: 'reload requested'})
      // The model shows it before the next snapshot confirms it.
      expect(probeOf(client.current(), 'A').telemetry?.generation).toMatchObject({generation: 2, reloads: 1, lastReload: {ok: true, trigger: 'reload requested'}})
    } finally {
      await close()
    }
  })

  it('prints the hosts\' log lines when stdout is not a terminal, until SIGTERM', async () => {
    const monitor = new StewardProcess(['monitor'], {cwd: dir})
    await monitor.waitForOutput(/Watching 2 host\(s\): A, B/)
    const tag = `streamed-${transport}`
    await cast(dir, 'probe', 'record', {tag}, '--server', 'B')
    await monitor.waitForOutput(new RegExp(`^\\S+Z INFO  \\[steward-probe@B\\] probe recorded ${tag} from cli@`, 'm'))
    // Each host's last lines, from before the monitor started, come first, and once.
    for (const host of ['A', 'B']) expect(monitor.output.match(new RegExp(`^\\S+Z INFO  \\[${host}\\] host ${host} running$`, 'gm'))).toHaveLength(1)
    monitor.kill('SIGTERM')
    expect(await monitor.exited).toEqual({code: 0, signal: null})
    expect(monitor.output.includes('\u001B[')).toBe(false)
  })
})

describe('the telemetry feed with CURVE', () => {
  afterAll(killLeftovers)

  it('answers a monitor with an allowed client key, and not one with another key', async () => {
    const dir = await makeTestDir('steward-monitor-curve-')
    const generate = (name: string): Promise<{publicKey: string}> => runJson(['keys', 'generate', '--out', path.join(dir, name)], {cwd: dir})
    const [, allowed] = await Promise.all([generate('host.key'), generate('client1.key'), generate('client2.key')])
    const curve = {rpc_listen: 'tcp://127.0.0.1:0', rpc_curve_server_key: 'host.key', rpc_curve_allowed_clients: [allowed!.publicKey], rpc_curve_client_key: 'client1.key'}
    const config = {plugin_dirs: [fixturePlugins], report_interval: 1, periodic_fuzzy_delay: 0, ...curve}
    await writeConfig(dir, config)
    await startHost(dir, 'C')

    const result = await runJson<MonitorModel>(['monitor', '--once'], {cwd: dir})
    expect(result.hosts[0]).toMatchObject({record: {name: 'C', publicKey: expect.any(String), feedEndpoint: expect.stringMatching(/^tcp:/)}, telemetry: {name: 'C'}})
    expect(probeOf(result, 'C').telemetry).not.toBeNull()

    const other = path.join(dir, 'other.json')
    await writeFile(other, JSON.stringify({state_dir: 'state', ...config, rpc_curve_client_key: 'client2.key'}))
    const refused = await runJson<MonitorModel>(['monitor', '--once', '--timeout', '1.5', '--config', other], {cwd: dir})
    expect(refused.hosts[0]).toMatchObject({record: {name: 'C'}, state: 'up', telemetry: null})
    expect(probeOf(refused, 'C').telemetry).toBeNull()
  })
})
