import fs from 'node:fs'
import path from 'node:path'
import {Config} from '@oclif/core'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {makeTempDir, removeTempDirs} from '../../test/helpers/service-harness.js'
import {packageRoot} from './package-root.js'
import {readUserPluginRecords, stewardDataDir, updateUserPluginRecords, userPlugins, userPluginsManifestPath} from './user-plugins.js'

afterAll(removeTempDirs)

const savedEnv = {...process.env}
afterEach(() => {
  for (const key of ['STEWARD_DATA_DIR', 'XDG_DATA_HOME', 'HOME']) {
    if (savedEnv[key] === undefined) delete process.env[key]
    else process.env[key] = savedEnv[key]
  }
})

function manifestWith(json: unknown): string {
  const file = path.join(makeTempDir('steward-data-'), 'package.json')
  fs.writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json))
  return file
}

describe('stewardDataDir', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['STEWARD_DATA_DIR', {STEWARD_DATA_DIR: '/srv/steward-data', XDG_DATA_HOME: '/xdg', HOME: '/home/someone'}],
    ['XDG_DATA_HOME', {XDG_DATA_HOME: '/xdg', HOME: '/home/someone'}],
    ['HOME', {HOME: '/home/someone'}],
  ]
  it.each(cases)('is oclif config.dataDir of the steward CLI when %s decides', async (_decides, env) => {
    delete process.env.STEWARD_DATA_DIR
    delete process.env.XDG_DATA_HOME
    Object.assign(process.env, env)
    const config = await Config.load({root: packageRoot, userPlugins: false})
    expect(stewardDataDir()).toBe(config.dataDir)
    expect(userPluginsManifestPath()).toBe(path.join(config.dataDir, 'package.json'))
  })
})

describe('readUserPluginRecords and userPlugins', () => {
  it('reads the records @oclif/plugin-plugins writes: installed packages, links and bare names', () => {
    const manifest = manifestWith({
      name: 'steward',
      dependencies: {'plugin-a': '^1.0.0'},
      oclif: {
        schema: 1,
        plugins: [
          {type: 'user', name: 'plugin-a', tag: '^1.0.0'},
          {type: 'user', name: 'plugin-b', url: 'git+file:///srv/b'},
          {type: 'link', name: 'plugin-c', root: '/work/plugin-c'},
          'plugin-d',
          {type: 'core', name: 'ignored'},
          {type: 'user'},
          42,
        ],
      },
    })
    const data = path.dirname(manifest)
    expect(readUserPluginRecords(manifest)).toEqual([
      {type: 'user', name: 'plugin-a', tag: '^1.0.0'},
      {type: 'user', name: 'plugin-b', url: 'git+file:///srv/b'},
      {type: 'link', name: 'plugin-c', root: '/work/plugin-c'},
      {type: 'user', name: 'plugin-d'},
    ])
    expect(userPlugins(manifest)).toEqual([
      {name: 'plugin-a', dir: path.join(data, 'node_modules', 'plugin-a'), source: 'installed'},
      {name: 'plugin-b', dir: path.join(data, 'node_modules', 'plugin-b'), source: 'installed'},
      {name: 'plugin-c', dir: '/work/plugin-c', source: 'linked'},
      {name: 'plugin-d', dir: path.join(data, 'node_modules', 'plugin-d'), source: 'installed'},
    ])
  })

  it('finds none when the manifest does not exist or records no plugins', () => {
    expect(userPlugins(path.join(makeTempDir('steward-data-'), 'package.json'))).toEqual([])
    expect(userPlugins(manifestWith({name: 'steward', dependencies: {}}))).toEqual([])
  })

  it('fails with USER_PLUGINS_MANIFEST_INVALID naming the file when it is not JSON', () => {
    for (const text of ['{"oclif": {"plugins": [', '[]']) {
      const manifest = manifestWith(text)
      expect(() => userPlugins(manifest)).toThrow(expect.objectContaining({code: 'USER_PLUGINS_MANIFEST_INVALID', data: {file: manifest}}))
    }
  })

  it('reads the data directory from the environment when no manifest is given', () => {
    const data = makeTempDir('steward-xdg-')
    process.env.XDG_DATA_HOME = data
    updateUserPluginRecords(path.join(data, 'steward', 'package.json'), () => [{type: 'link', name: 'x', root: '/x'}])
    expect(userPlugins()).toEqual([{name: 'x', dir: '/x', source: 'linked'}])
  })
})

describe('updateUserPluginRecords', () => {
  it('creates the manifest as plugin-plugins does, then changes the records and keeps npm dependencies', () => {
    const manifest = path.join(makeTempDir('steward-data-'), 'nested', 'package.json')
    updateUserPluginRecords(manifest, (records) => [...records, {type: 'user', name: 'a', tag: 'latest'}])
    expect(JSON.parse(fs.readFileSync(manifest, 'utf8'))).toEqual({name: 'steward', private: true, dependencies: {}, oclif: {schema: 1, plugins: [{type: 'user', name: 'a', tag: 'latest'}]}})

    const json = JSON.parse(fs.readFileSync(manifest, 'utf8')) as {dependencies: Record<string, string>}
    json.dependencies.a = '^2.0.0'
    fs.writeFileSync(manifest, JSON.stringify(json))
    updateUserPluginRecords(manifest, (records) => [...records, {type: 'link', name: 'b', root: '/b'}, {type: 'user', name: 'a', url: 'git+file:///a'}])
    expect(JSON.parse(fs.readFileSync(manifest, 'utf8'))).toEqual({
      name: 'steward',
      private: true,
      dependencies: {a: '^2.0.0'},
      oclif: {schema: 1, plugins: [{type: 'user', name: 'a', url: 'git+file:///a'}, {type: 'link', name: 'b', root: '/b'}]},
    })
    expect(fs.readdirSync(path.dirname(manifest))).toEqual(['package.json'])
  })
})
