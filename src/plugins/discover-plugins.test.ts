import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {makeTempDir, removeTempDirs} from '../../test/helpers/service-harness.js'
import {discoverPlugins, type PluginProblem} from './discover-plugins.js'
import {stewardVersion} from './package-root.js'

afterAll(removeTempDirs)

/** Write a plugin folder: package.json (an object, or raw text) and the given files. */
function plugin(parent: string, folder: string, packageJson: unknown, files: string[] = ['index.ts']): string {
  const dir = path.join(parent, folder)
  fs.mkdirSync(dir, {recursive: true})
  fs.writeFileSync(path.join(dir, 'package.json'), typeof packageJson === 'string' ? packageJson : JSON.stringify(packageJson))
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), {recursive: true})
    fs.writeFileSync(path.join(dir, file), 'export default {}\n')
  }
  return dir
}

const problemsIn = (problems: PluginProblem[]) => problems.map(({dir, error}) => ({dir, code: error.code, message: error.message, file: error.data.file}))

describe('discoverPlugins', () => {
  it('reads valid manifests: name, version, entry, managers, drivers, routes and source', () => {
    const root = makeTempDir('steward-plugins-')
    const share = plugin(root, 'share', {name: 'steward-plugin-share', version: '1.2.3', steward: {managers: ['share'], drivers: ['lvm', 'zfs.pool'], routes: ['share-api', 'share-audit']}})
    const clock = plugin(root, 'clock', {name: 'clock', main: 'lib/main.js', steward: {drivers: ['system']}}, ['lib/main.js'])
    const entry = plugin(root, 'entry', {name: 'entry', main: 'ignored.js', steward: {entry: 'src/start.mjs', managers: ['x']}}, ['src/start.mjs'])
    const bundled = makeTempDir('steward-bundled-')
    const sys = plugin(bundled, 'sys', {name: 'sys', steward: {}}, ['index.js'])

    const {plugins, problems} = discoverPlugins([
      {path: bundled, source: 'bundled'},
      {path: root, source: 'plugin_dirs'},
    ])
    expect(problems).toEqual([])
    expect(plugins).toEqual([
      {name: 'sys', version: '0.0.0', dir: sys, entry: path.join(sys, 'index.js'), managers: [], drivers: [], routes: [], source: 'bundled'},
      {name: 'clock', version: '0.0.0', dir: clock, entry: path.join(clock, 'lib/main.js'), managers: [], drivers: ['system'], routes: [], source: 'plugin_dirs'},
      {name: 'entry', version: '0.0.0', dir: entry, entry: path.join(entry, 'src/start.mjs'), managers: ['x'], drivers: [], routes: [], source: 'plugin_dirs'},
      {name: 'steward-plugin-share', version: '1.2.3', dir: share, entry: path.join(share, 'index.ts'), managers: ['share'], drivers: ['lvm', 'zfs.pool'], routes: ['share-api', 'share-audit'], source: 'plugin_dirs'},
    ])
  })

  it('ignores packages without a "steward" field, folders without package.json, hidden folders, node_modules and missing directories', () => {
    const root = makeTempDir('steward-plugins-')
    plugin(root, 'library', {name: 'left-pad', version: '1.0.0'})
    fs.mkdirSync(path.join(root, 'just-a-folder'))
    fs.writeFileSync(path.join(root, 'file.json'), '{}')
    plugin(root, '.hidden', {name: 'hidden', steward: {managers: ['h']}})
    plugin(root, 'node_modules', {name: 'nm', steward: {managers: ['n']}})
    expect(discoverPlugins([{path: root, source: 'plugin_dirs'}, {path: path.join(root, 'absent'), source: 'plugin_dirs'}])).toEqual({plugins: [], problems: []})
  })

  it('reports each broken plugin as PLUGIN_INVALID naming its package.json, and still finds the others', () => {
    const root = makeTempDir('steward-plugins-')
    const broken = {
      'a-not-json': '{"name": "oops", ',
      'b-bad-engines-range': {name: 'b', engines: {steward: 'soon'}, steward: {managers: ['b']}},
      'c-steward-list': {name: 'c', steward: ['share']},
      'd-steward-string': {name: 'd', steward: 'share'},
      'e-managers-not-list': {name: 'e', steward: {managers: 'share'}},
      'f-bad-driver-name': {name: 'f', steward: {drivers: ['has space']}},
      'f-routes-not-list': {name: 'f2', steward: {routes: {api: true}}},
      'g-missing-main': {name: 'g', main: 'dist/index.js', steward: {managers: ['g']}},
    }
    for (const [folder, json] of Object.entries(broken)) plugin(root, folder, json)
    plugin(root, 'h-no-entry', {name: 'h', steward: {managers: ['h']}}, [])
    const good = plugin(root, 'z-good', {name: 'good', steward: {managers: ['good']}})

    const {plugins, problems} = discoverPlugins([{path: root, source: 'plugin_dirs'}])
    expect(plugins.map((found) => found.dir)).toEqual([good])
    const reported = problemsIn(problems)
    expect(reported.map((problem) => path.basename(problem.dir))).toEqual([...Object.keys(broken), 'h-no-entry'])
    for (const problem of reported) {
      const file = path.join(problem.dir, 'package.json')
      expect(problem).toMatchObject({code: 'PLUGIN_INVALID', file})
      expect(problem.message).toContain(file)
    }
    const message = (folder: string) => reported.find((problem) => path.basename(problem.dir) === folder)!.message
    expect(message('a-not-json')).toMatch(/cannot be read/)
    expect(message('b-bad-engines-range')).toMatch(/"engines.steward" must be a semver range, found "soon"/)
    expect(message('c-steward-list')).toMatch(/"steward" must be an object/)
    expect(message('e-managers-not-list')).toMatch(/"steward.managers" must be a list of names/)
    expect(message('f-bad-driver-name')).toMatch(/"steward.drivers" must be a list of names/)
    expect(message('g-missing-main')).toMatch(/no entry module/)
    expect(message('h-no-entry')).toMatch(/no entry module/)
  })

  it('refuses a plugin without a name as PLUGIN_NAME_MISSING, keeping the names it declares', () => {
    const root = makeTempDir('steward-plugins-')
    const nameless = plugin(root, 'nameless', {version: '1.0.0', steward: {managers: ['nameless'], drivers: ['quiet']}})
    const empty = plugin(root, 'empty-name', {name: '', steward: {managers: ['empty']}})
    const {plugins, problems} = discoverPlugins([{path: root, source: 'plugin_dirs'}])
    expect(plugins).toEqual([])
    expect(problemsIn(problems).map(({dir, code}) => ({dir, code}))).toEqual([
      {dir: empty, code: 'PLUGIN_NAME_MISSING'},
      {dir: nameless, code: 'PLUGIN_NAME_MISSING'},
    ])
    const error = problems.find((problem) => problem.dir === nameless)!.error
    expect(error.message).toBe(`Plugin ${path.join(nameless, 'package.json')}: the plugin has no name: "name" must be a non-empty string.`)
    expect(error.data).toMatchObject({managers: ['nameless'], drivers: ['quiet']})
    expect(error.suggestions[0]).toMatch(/Add "name" to package.json/)
  })

  it('refuses a plugin whose engines.steward excludes this steward as PLUGIN_INCOMPATIBLE, before reading its entry', () => {
    const root = makeTempDir('steward-plugins-')
    const future = plugin(root, 'future', {name: 'future', engines: {steward: '^99.0.0'}, steward: {managers: ['future']}}, [])
    const current = plugin(root, 'current', {name: 'current', engines: {node: '>=20', steward: `^${stewardVersion}`}, steward: {managers: ['current']}})
    const {plugins, problems} = discoverPlugins([{path: root, source: 'plugin_dirs'}])
    expect(plugins.map((found) => found.dir)).toEqual([current])
    expect(problems).toHaveLength(1)
    expect(problems[0]!.error).toMatchObject({code: 'PLUGIN_INCOMPATIBLE', data: {file: path.join(future, 'package.json'), range: '^99.0.0', stewardVersion, managers: ['future']}})
    expect(problems[0]!.error.message).toContain(`future requires steward ^99.0.0 (engines.steward), this is ${stewardVersion}.`)
  })

  it('reports a manager or driver name provided by two plugins, naming both; the first is kept', () => {
    const first = makeTempDir('steward-plugins-')
    const second = makeTempDir('steward-plugins-')
    const one = plugin(first, 'one', {name: 'plugin-one', steward: {managers: ['share'], drivers: ['lvm']}})
    const two = plugin(second, 'two', {name: 'plugin-two', steward: {managers: ['share', 'backup'], drivers: ['zfs']}})
    const {plugins, problems} = discoverPlugins([
      {path: first, source: 'plugin_dirs'},
      {path: second, source: 'plugin_dirs'},
    ])
    expect(plugins.map((found) => found.name)).toEqual(['plugin-one', 'plugin-two'])
    expect(problems).toHaveLength(1)
    const [problem] = problems
    expect(problem!.dir).toBe(two)
    expect(problem!.error).toMatchObject({code: 'PLUGIN_CONFLICT', data: {name: 'share', kind: 'managers', plugins: ['plugin-one', 'plugin-two'], file: path.join(two, 'package.json')}})
    expect(problem!.error.message).toContain(`Manager "share" is provided by both plugin-one (${one}) and plugin-two (${two}); plugin-one's is used`)
  })

  it('reports an API route set name provided by two plugins', () => {
    const root = makeTempDir('steward-plugins-')
    plugin(root, 'one', {name: 'plugin-one', steward: {routes: ['meter-api']}})
    const two = plugin(root, 'two', {name: 'plugin-two', steward: {routes: ['meter-api']}})
    const {problems} = discoverPlugins([{path: root, source: 'plugin_dirs'}])
    expect(problems.map(({dir, error}) => ({dir, code: error.code, kind: error.data.kind}))).toEqual([{dir: two, code: 'PLUGIN_CONFLICT', kind: 'routes'}])
    expect(problems[0]!.error.message).toMatch(/^API route set or middleware "meter-api" is provided by both plugin-one/)
  })

  it('takes installed and linked locations as one plugin package each, ignoring packages that are not steward plugins', () => {
    const data = makeTempDir('steward-data-')
    const installed = plugin(path.join(data, 'node_modules'), 'installed', {name: 'installed', version: '1.0.0', steward: {managers: ['inst']}})
    const cliOnly = plugin(path.join(data, 'node_modules'), 'cli-only', {name: 'cli-only', oclif: {commands: './commands'}})
    const linked = plugin(makeTempDir('steward-work-'), 'linked', {name: 'linked', steward: {drivers: ['link']}})
    const {plugins, problems} = discoverPlugins([
      {path: installed, source: 'installed'},
      {path: cliOnly, source: 'installed'},
      {path: linked, source: 'linked'},
    ])
    expect(problems).toEqual([])
    expect(plugins).toEqual([
      {name: 'installed', version: '1.0.0', dir: installed, entry: path.join(installed, 'index.ts'), managers: ['inst'], drivers: [], routes: [], source: 'installed'},
      {name: 'linked', version: '0.0.0', dir: linked, entry: path.join(linked, 'index.ts'), managers: [], drivers: ['link'], routes: [], source: 'linked'},
    ])
  })

  it('reports an installed or linked plugin whose package is gone as PLUGIN_MISSING', () => {
    const gone = path.join(makeTempDir('steward-work-'), 'moved-away')
    const {plugins, problems} = discoverPlugins([{path: gone, source: 'linked'}])
    expect(plugins).toEqual([])
    expect(problemsIn(problems)).toEqual([{dir: gone, code: 'PLUGIN_MISSING', message: `The linked plugin at ${gone} has no package.json any more.`, file: path.join(gone, 'package.json')}])
  })

  it('does not count a manager and a driver of the same name as a clash', () => {
    const root = makeTempDir('steward-plugins-')
    plugin(root, 'a', {name: 'a', steward: {managers: ['sysinfo']}})
    plugin(root, 'b', {name: 'b', steward: {drivers: ['sysinfo']}})
    expect(discoverPlugins([{path: root, source: 'plugin_dirs'}]).problems).toEqual([])
  })
})
