/**
 * Host through its public behaviour: Host.open uses the real plugin registry (the bundled
 * sysinfo plugin, plus plugins written to a temporary plugin_dirs) and the file store in a
 * temporary state directory. Timers are off, so nothing runs between the steps.
 */
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {captureLog, makeConfig, makeTempDir, rejectionCode, removeTempDirs} from '../../test/helpers/service-harness.js'
import type {ConfigFlags} from '../config/load-config.js'
import {openStore} from '../store/open-store.js'
import {Host} from './host.js'

const FAILING_PLUGIN = `
import {Manager, StewardError, definePlugin} from 'steward'

class PlainErrorManager extends Manager {
  static rpcApiVersion = '1.0'
  async initHost() { throw new Error('cannot reach the backend') }
}

class CodedErrorManager extends Manager {
  static rpcApiVersion = '1.0'
  async initHost() { throw new StewardError('DRIVER_NOT_FOUND', 'no backend driver') }
}

export default definePlugin({
  name: 'failing-plugin',
  steward: '>=0.0.0',
  managers: {'plain-error': PlainErrorManager, 'coded-error': CodedErrorManager},
})
`

let opened: Host[] = []
afterEach(async () => {
  // A host a test left open is stopped; stopping twice is harmless, closing a closed store too.
  await Promise.all(opened.map((host) => host.stop({graceful: false}).catch(() => undefined)))
  opened = []
})
afterAll(removeTempDirs)

function pluginDir(): string {
  const dir = makeTempDir('steward-host-plugins-')
  const folder = path.join(dir, 'failing')
  fs.mkdirSync(folder)
  fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify({name: 'failing-plugin', type: 'module', main: 'index.js', steward: {managers: ['plain-error', 'coded-error']}}))
  fs.writeFileSync(path.join(folder, 'index.js'), FAILING_PLUGIN)
  fs.mkdirSync(path.join(dir, 'broken'))
  fs.writeFileSync(path.join(dir, 'broken', 'package.json'), '{"name": "broken", "steward": [')
  return dir
}

async function openHost(topics: string[], flags: ConfigFlags = {}) {
  const stateDir = makeTempDir('steward-host-state-')
  const config = makeConfig({state_dir: stateDir, plugin_dirs: [pluginDir()], host: 'unit-host', ...flags})
  const captured = captureLog()
  const host = await Host.open({config, topics, log: captured.log})
  opened.push(host)
  const serviceRecords = async () => {
    const store = await openStore({stateDir})
    try {
      return await store.listServices()
    } finally {
      await store.close()
    }
  }
  return {...captured, host, serviceRecords}
}

describe('Host', () => {
  it('starts its services, and stops them so their records read stopped', async () => {
    const {host, serviceRecords, messages} = await openHost(['sysinfo'])
    expect(host.name).toBe('unit-host')
    await host.start()
    expect(host.services.map((service) => [service.binary, service.state])).toEqual([['steward-sysinfo', 'running']])
    expect(messages('info')).toContain('host unit-host running')

    await host.stop()
    await host.wait()
    expect(host.services[0]!.state).toBe('stopped')
    expect(await serviceRecords()).toEqual([expect.objectContaining({host: 'unit-host', binary: 'steward-sysinfo', reportCount: 1, stoppedAt: expect.any(String)})])
  })

  it('runs on with the services that start, logging each that fails with its code', async () => {
    const {host, serviceRecords, records} = await openHost(['sysinfo', 'nosuch', 'coded-error', 'plain-error'])
    await host.start()
    expect(host.services.map((service) => [service.topic, service.state])).toEqual([['sysinfo', 'running']])
    const failures = records.filter((record) => record.level === 'error').map((record) => [record.fields.binary, record.fields.code])
    expect(failures).toEqual([
      ['steward-nosuch', 'MANAGER_NOT_FOUND'],
      ['steward-coded-error', 'DRIVER_NOT_FOUND'],
      ['steward-plain-error', 'HOST_START_FAILED'],
    ])
    expect(records.find((record) => record.fields.binary === 'steward-plain-error')?.message).toMatch(/cannot reach the backend/)
    const byBinary = Object.fromEntries((await serviceRecords()).map((record) => [record.binary, record]))
    expect(byBinary['steward-sysinfo']!.stoppedAt).toBeNull()
  })

  it('fails with the first error\'s code when no service starts, keeping a plugin\'s code and wrapping a plain error', async () => {
    const coded = await openHost(['coded-error'])
    expect(await rejectionCode(coded.host.start())).toBe('DRIVER_NOT_FOUND')
    expect(coded.host.services).toEqual([])

    const plain = await openHost(['plain-error', 'nosuch'])
    const error = await plain.host.start().catch((failure: unknown) => failure)
    expect(error).toMatchObject({code: 'HOST_START_FAILED', message: expect.stringMatching(/cannot reach the backend/)})
  })

  it('logs plugin problems as warnings and still opens', async () => {
    const {messages} = await openHost(['sysinfo'])
    expect(messages('warn').some((message) => /broken.*package\.json/.test(message))).toBe(true)
  })

  it('refuses to open without topics, given or configured', async () => {
    const config = makeConfig({state_dir: makeTempDir()})
    expect(await rejectionCode(Host.open({config, topics: [], log: captureLog().log}))).toBe('TOPIC_NOT_CONFIGURED')
    const configured = makeConfig({state_dir: makeTempDir(), services: ['sysinfo']})
    const host = await Host.open({config: configured, topics: [], log: captureLog().log})
    opened.push(host)
    expect(host.services.map((service) => service.topic)).toEqual(['sysinfo'])
  })
})
