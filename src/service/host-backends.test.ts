/**
 * A topic with `backends` runs one service per backend, as host `<host>@<backend>` (Manila's
 * enabled_share_backends), each seeing its backend's options over the topic's. Real hosts on the
 * bundled sysinfo plugin and a temporary state directory; timers are off.
 */
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {captureLog, makeConfig, rejectionCode, removeTempDirs} from '../../test/helpers/service-harness.js'
import {backendNames, serviceSection} from '../config/backend-sections.js'
import {createContext} from '../rpc/context.js'
import {Host} from './host.js'

let opened: Host[] = []
afterEach(async () => {
  await Promise.all(opened.map((host) => host.stop({graceful: false}).catch(() => undefined)))
  opened = []
})
afterAll(removeTempDirs)

function configWith(section: Record<string, unknown>) {
  const config = makeConfig({host: 'unit-host', plugin_isolation: 'inline'})
  config.topics.sysinfo = section
  return config
}

describe('backend sections', () => {
  it('lists the backends in order and gives each its options over the topic\'s, without "backends"', () => {
    const config = configWith({driver: 'node-os', coordination: true, backends: {a: {driver: 'procfs'}, b: {}}})
    expect(backendNames(config, 'sysinfo')).toEqual(['a', 'b'])
    expect(serviceSection(config, 'sysinfo', 'a')).toEqual({driver: 'procfs', coordination: true})
    expect(serviceSection(config, 'sysinfo', 'b')).toEqual({driver: 'node-os', coordination: true})
    expect(serviceSection(config, 'sysinfo')).toEqual({driver: 'node-os', coordination: true})
    expect(backendNames(configWith({}), 'sysinfo')).toEqual([])
  })

  it('refuses backends that are not an object of objects, and names that cannot be part of a host', () => {
    for (const backends of [['a'], {a: 'procfs'}, {'a@b': {}}, {'a#b': {}}, {'': {}}]) {
      expect(() => backendNames(configWith({backends}), 'sysinfo'), JSON.stringify(backends)).toThrow(expect.objectContaining({code: 'CONFIG_INVALID'}))
    }
  })
})

describe('a host running a topic with backends', () => {
  async function openHost() {
    const config = configWith({driver: 'node-os', backends: {a: {driver: 'procfs'}, b: {}}})
    const host = await Host.open({config, topics: ['sysinfo'], log: captureLog().log})
    opened.push(host)
    await host.start()
    const sectionOf = (server: string) => host.rpc.prepare({topic: 'sysinfo', server}).call(createContext('test'), 'serviceConfig')
    return {host, sectionOf}
  }

  it('runs one service per backend, as host@backend, each with its backend\'s section', async () => {
    const {host, sectionOf} = await openHost()
    expect(host.services.map((service) => [service.key, service.host, service.binary, service.state])).toEqual([
      ['sysinfo@a', 'unit-host@a', 'steward-sysinfo', 'running'],
      ['sysinfo@b', 'unit-host@b', 'steward-sysinfo', 'running'],
    ])
    expect(await sectionOf('unit-host@a')).toEqual({driver: 'procfs'})
    expect(await sectionOf('unit-host@b')).toEqual({driver: 'node-os'})
  })

  it('stops and starts one backend by topic@backend, and all of them by the topic', async () => {
    const {host} = await openHost()
    expect((await host.stopService('sysinfo@a')).host).toBe('unit-host@a')
    expect(host.services.map((service) => service.key)).toEqual(['sysinfo@b'])
    expect(await rejectionCode(host.startService('sysinfo@b'))).toBe('SERVICE_ALREADY_RUNNING')
    expect((await host.startService('sysinfo')).host).toBe('unit-host@a')
    expect(host.services.map((service) => [service.key, service.state]).sort()).toEqual([
      ['sysinfo@a', 'running'],
      ['sysinfo@b', 'running'],
    ])
    await host.stopService('sysinfo')
    expect(host.services).toEqual([])
    expect(await rejectionCode(host.startService('sysinfo@c'))).toBe('SERVICE_NOT_FOUND')
  })
})
