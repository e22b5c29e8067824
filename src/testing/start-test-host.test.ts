import {existsSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {packageRoot} from '../plugins/package-root.js'
import {startTestHost} from './start-test-host.js'

const fixtures = path.join(packageRoot, 'test', 'fixtures', 'plugins')

describe('startTestHost', () => {
  it('runs a bundled plugin on a state directory of its own, answers calls and awaits log lines', async () => {
    const test = await startTestHost({topics: ['sysinfo'], config: {sysinfo: {driver: 'node-os'}}})
    try {
      expect(test.host.services.map((service) => [service.binary, service.state])).toEqual([['steward-sysinfo', 'running']])
      expect(await test.call('sysinfo', 'serviceVersion')).toBe('0.1.0')
      // The periodic task runs at once: periodic_fuzzy_delay is 0 unless the test sets it.
      await test.waitForLog('sampled')
      expect(await test.call<{memoryTotalBytes: number}>('sysinfo', 'latest')).toMatchObject({memoryTotalBytes: expect.any(Number)})
      expect(test.logs.some((record) => record.message === 'host test-host running')).toBe(true)
    } finally {
      await test.stop()
    }
    expect(existsSync(test.dir)).toBe(false)
  })

  it('loads the plugin folders given, with the host name and options given', async () => {
    const test = await startTestHost({plugins: [path.join(fixtures, 'rpc-probe')], topics: ['probe'], host: 'probe-host', config: {probe: {flavour: 'plain'}}})
    try {
      expect(await test.call('probe', 'echo', {word: 'hi'})).toEqual({args: {word: 'hi'}, host: 'probe-host', caller: 'test@probe-host'})
      expect(await test.call('probe', 'serviceConfig')).toEqual({flavour: 'plain'})
      await test.cast('probe', 'record', {tag: 'cast-1'})
      await test.waitForLog(/probe recorded cast-1/)
      await expect(test.call('probe', 'fail', {code: 'E_PROBE'})).rejects.toMatchObject({code: 'E_PROBE'})
    } finally {
      await test.stop()
    }
  })

  it('fails with the error that failed the start', async () => {
    const failure = await startTestHost({plugins: [path.join(fixtures, 'invalid', 'rpc-version-missing')], topics: ['versionless']}).catch((error: unknown) => error)
    expect(failure).toMatchObject({code: 'MANAGER_RPC_VERSION_MISSING'})
  })

  it('says what it logged when an awaited line does not come', async () => {
    const test = await startTestHost({topics: ['sysinfo'], config: {sysinfo: {driver: 'node-os'}}})
    try {
      await expect(test.waitForLog('never said', {timeoutMs: 50})).rejects.toThrow(/No log message matched never said within 50 ms. The last ones:\n/)
    } finally {
      await test.stop()
    }
  })
})
