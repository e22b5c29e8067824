import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {errorCatalog, type ErrorCode} from '../../src/errors/catalog.js'
import {stewardVersion} from '../../src/plugins/package-root.js'
import {killLeftovers, makeTestDir, repoRoot, runCli, runJson, StewardProcess, writeConfig} from '../helpers/steward-process.js'

const invalidPlugins = path.join(repoRoot, 'test', 'fixtures', 'plugins', 'invalid')
const SYSINFO_VERSION = '0.1.0'
const packageFile = (folder: string): string => path.join(invalidPlugins, folder, 'package.json')

/**
 * Every broken fixture plugin sits in plugin_dirs of one state directory, where a host runs the
 * bundled sysinfo throughout; other hosts try to start the broken managers beside it.
 */
let dir: string
let good: StewardProcess

beforeAll(async () => {
  dir = await makeTestDir()
  await writeConfig(dir, {plugin_dirs: [invalidPlugins], periodic_fuzzy_delay: 0, sysinfo: {driver: 'node-os'}})
  good = new StewardProcess(['start', 'sysinfo', '--host', 'good'], {cwd: dir})
  await good.waitForOutput(/host good running/)
})
afterAll(killLeftovers)

async function goodHostAnswers(): Promise<void> {
  const {result} = await runJson<{result: string}>(['call', 'sysinfo', 'serviceVersion', '--server', 'good'], {cwd: dir})
  expect(result).toBe(SYSINFO_VERSION)
}

describe('a host with invalid plugins in plugin_dirs', () => {
  it('starts and runs its good service, logging each plugin refused at discovery with its code and file', async () => {
    const warnings = good.output.split('\n').filter((line) => line.includes(' WARN '))
    for (const [code, folder] of [
      ['PLUGIN_NAME_MISSING', 'no-name'],
      ['PLUGIN_INCOMPATIBLE', 'engines-incompatible'],
      ['PLUGIN_CONFLICT', 'conflict'],
    ]) {
      expect(warnings.filter((line) => line.includes(path.join(invalidPlugins, folder!)) && line.endsWith(`code=${code}`)), code).toHaveLength(1)
    }
    expect(good.output).toContain('Manager "sysinfo" is provided by both steward-plugin-sysinfo')
    // The version answered is the bundled plugin's: it runs, not the conflicting fixture (1.0.0).
    await goodHostAnswers()
  })

  const broken: Array<{topic: string; code: ErrorCode; says: string}> = [
    {topic: 'nameless', code: 'PLUGIN_NAME_MISSING', says: `Manager "nameless" comes from a plugin that was refused. Plugin ${packageFile('no-name')}: the plugin has no name`},
    {topic: 'future', code: 'PLUGIN_INCOMPATIBLE', says: `requires steward ^99.0.0 (engines.steward), this is ${stewardVersion}`},
    {topic: 'future-code', code: 'PLUGIN_INCOMPATIBLE', says: `(${path.join(invalidPlugins, 'range-incompatible', 'index.js')}): it requires steward >=99.0.0, this is ${stewardVersion}`},
    {topic: 'versionless', code: 'MANAGER_RPC_VERSION_MISSING', says: 'manager "versionless": VersionlessManager declares no rpcApiVersion'},
    {topic: 'echo', code: 'DRIVER_MISSING_METHOD', says: 'driver "mute" (MuteDriver) does not implement echo, required of every EchoDriver'},
  ]
  for (const {topic, code, says} of broken) {
    it(`starting ${topic} on its own host fails with ${code}, its exit status and what to do`, async () => {
      const result = await runCli(['start', topic, '--host', `bad-${topic}`], {cwd: dir})
      expect(result.code, result.stderr).toBe(errorCatalog[code].exitCode)
      expect(result.stderr).toContain(`Code: ${code}`)
      expect(result.stderr).toContain(says)
      expect(result.stderr).toMatch(/^Try: /m)
      expect(result.stderr).not.toMatch(/^\s+at /m)
      await goodHostAnswers()
    })

    it(`starting ${topic} on the running good host fails with ${code}, and its sysinfo service runs on`, async () => {
      const result = await runCli(['services', 'start', topic, '--host', 'good', '--json'], {cwd: dir})
      expect(result.code, result.stderr).toBe(errorCatalog[code].exitCode)
      const {error} = JSON.parse(result.stdout) as {error: {code: string; message: string}}
      expect(error.code).toBe(code)
      expect(error.message).toContain(says)
      await goodHostAnswers()
    })
  }
})
