import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {stewardFailure} from '../../test/helpers/steward-failure.js'
import {packageRoot} from './package-root.js'
import {PluginRegistry} from './plugin-registry.js'

const invalidPlugins = path.join(packageRoot, 'test', 'fixtures', 'plugins', 'invalid')
const fixture = (folder: string): string => path.join(invalidPlugins, folder)

describe('PluginRegistry with invalid plugins', () => {
  const registry = PluginRegistry.discover({plugin_dirs: [invalidPlugins]})

  it('refuses the plugins whose package.json is wrong at discovery, each with its code and file', () => {
    const problems = registry.problems.map(({dir, error}) => ({dir, code: error.code, file: error.data.file}))
    expect(problems).toEqual([
      {dir: fixture('engines-incompatible'), code: 'PLUGIN_INCOMPATIBLE', file: path.join(fixture('engines-incompatible'), 'package.json')},
      {dir: fixture('no-name'), code: 'PLUGIN_NAME_MISSING', file: path.join(fixture('no-name'), 'package.json')},
      {dir: fixture('conflict'), code: 'PLUGIN_CONFLICT', file: path.join(fixture('conflict'), 'package.json')},
    ])
    // The bundled sysinfo is found first and kept.
    expect(registry.provider('managers', 'sysinfo')?.name).toBe('steward-plugin-sysinfo')
  })

  it('fails a manager of a plugin refused at discovery with that plugin\'s code, not MANAGER_NOT_FOUND', async () => {
    const nameless = await stewardFailure(registry.loadManager('nameless'))
    expect(nameless.code).toBe('PLUGIN_NAME_MISSING')
    expect(nameless.message).toBe(`Manager "nameless" comes from a plugin that was refused. Plugin ${path.join(fixture('no-name'), 'package.json')}: the plugin has no name: "name" must be a non-empty string.`)
    expect((await stewardFailure(registry.loadManager('future'))).code).toBe('PLUGIN_INCOMPATIBLE')
    expect((await stewardFailure(registry.loadManager('nosuch'))).code).toBe('MANAGER_NOT_FOUND')
  })

  it('fails a plugin whose code is wrong when it loads, naming its entry', async () => {
    const cases = [
      {manager: 'future-code', code: 'PLUGIN_INCOMPATIBLE', file: path.join(fixture('range-incompatible'), 'index.js'), message: /it requires steward >=99.0.0, this is /},
      {manager: 'versionless', code: 'MANAGER_RPC_VERSION_MISSING', file: path.join(fixture('rpc-version-missing'), 'index.ts'), message: /manager "versionless": VersionlessManager declares no rpcApiVersion/},
      {manager: 'echo', code: 'DRIVER_MISSING_METHOD', file: path.join(fixture('driver-missing-method'), 'index.ts'), message: /driver "mute" \(MuteDriver\) does not implement echo, required of every EchoDriver/},
    ]
    for (const {manager, code, file, message} of cases) {
      const error = await stewardFailure(registry.loadManager(manager))
      expect(error, manager).toMatchObject({code, data: {file}})
      expect(error.message).toContain(file)
      expect(error.message).toMatch(message)
    }
    // The plugin failed as a whole: its driver too.
    expect((await stewardFailure(registry.loadDriver('mute'))).code).toBe('DRIVER_MISSING_METHOD')
  })

  it('still loads the good plugins', async () => {
    const {managerClass, plugin} = await registry.loadManager('sysinfo')
    expect([managerClass.name, plugin.name]).toEqual(['SysinfoManager', 'steward-plugin-sysinfo'])
  })
})
