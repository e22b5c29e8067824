import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {makeTempDir, removeTempDirs} from '../../../test/helpers/service-harness.js'
import {stewardFailure} from '../../../test/helpers/steward-failure.js'
import {stewardVersion} from '../package-root.js'
import {forLanguage} from './typescript-only.js'
import {writePluginSkeleton} from './write-plugin-skeleton.js'

afterAll(removeTempDirs)

const read = (dir: string, file: string): string => fs.readFileSync(path.join(dir, file), 'utf8')

describe('forLanguage', () => {
  it('keeps TypeScript-only text without its marks for ts, and drops it for js', () => {
    const template = 'static «override »x«: number» = 1\n«interface A {\n  a: string\n}\n»done'
    expect(forLanguage(template, 'ts')).toBe('static override x: number = 1\ninterface A {\n  a: string\n}\ndone')
    expect(forLanguage(template, 'js')).toBe('static x = 1\ndone')
  })
})

describe('writePluginSkeleton', () => {
  it('writes a TypeScript plugin whose package.json declares what definePlugin provides', async () => {
    const parent = makeTempDir('steward-scaffold-')
    const skeleton = await writePluginSkeleton({name: 'disk-usage', parent, language: 'ts'})
    const dir = path.join(parent, 'disk-usage')
    expect(skeleton).toEqual({
      name: 'disk-usage',
      package: 'steward-plugin-disk-usage',
      language: 'ts',
      dir,
      files: ['package.json', 'tsconfig.json', 'README.md', 'index.ts', 'disk-usage-manager.ts', 'disk-usage-driver.ts', 'drivers/counter.ts', 'test/disk-usage.test.ts'],
      manager: 'disk-usage',
      drivers: ['disk-usage-counter'],
    })
    const manifest = JSON.parse(read(dir, 'package.json')) as Record<string, unknown>
    expect(manifest).toMatchObject({
      name: 'steward-plugin-disk-usage',
      main: 'index.ts',
      engines: {steward: `^${stewardVersion}`},
      scripts: {test: 'node --import tsx --test test/*.test.ts'},
      steward: {managers: ['disk-usage'], drivers: ['disk-usage-counter']},
    })
    expect(read(dir, 'index.ts')).toContain(`name: 'steward-plugin-disk-usage',\n  steward: '^${stewardVersion}',\n  managers: {'disk-usage': DiskUsageManager},\n  drivers: {'disk-usage-counter': CounterDriver},`)
    expect(read(dir, 'disk-usage-driver.ts')).toContain('export abstract class DiskUsageDriver extends Driver {\n  static override requiredMethods = [\'read\']\n\n  /** Take one reading. */\n  abstract read(): Promise<Reading>\n}')
    for (const file of skeleton.files) expect(read(dir, file), file).not.toMatch(/[«»]/)
  })

  it('writes a JavaScript plugin that Node parses as it is, with no TypeScript left', async () => {
    const parent = makeTempDir('steward-scaffold-')
    const skeleton = await writePluginSkeleton({name: 'clock', parent, language: 'js'})
    expect(skeleton.files).toEqual(['package.json', 'README.md', 'index.js', 'clock-manager.js', 'clock-driver.js', 'drivers/counter.js', 'test/clock.test.js'])
    expect(JSON.parse(read(skeleton.dir, 'package.json'))).toMatchObject({main: 'index.js', scripts: {test: 'node --test test/*.test.js'}, devDependencies: {steward: `^${stewardVersion}`}})
    for (const file of skeleton.files.filter((name) => name.endsWith('.js'))) {
      const source = read(skeleton.dir, file)
      expect(source, file).not.toMatch(/[«»]|\boverride\b|\babstract\b|\binterface\b|\bprivate\b|: (Promise|string|number|boolean)\b|import type|, type /)
      execFileSync(process.execPath, ['--check', path.join(skeleton.dir, file)])
    }
  })

  it('refuses a folder that exists with SCAFFOLD_TARGET_EXISTS, writing nothing', async () => {
    const parent = makeTempDir('steward-scaffold-')
    fs.mkdirSync(path.join(parent, 'clock'))
    fs.writeFileSync(path.join(parent, 'clock', 'mine.txt'), 'keep me')
    const error = await stewardFailure(writePluginSkeleton({name: 'clock', parent, language: 'ts'}))
    expect(error).toMatchObject({code: 'SCAFFOLD_TARGET_EXISTS', exitCode: 73, data: {dir: path.join(parent, 'clock')}})
    expect(error.message).toBe(`${path.join(parent, 'clock')} already exists; nothing was written.`)
    expect(fs.readdirSync(path.join(parent, 'clock'))).toEqual(['mine.txt'])
  })

  it('creates a parent folder that does not exist yet', async () => {
    const parent = path.join(makeTempDir('steward-scaffold-'), 'plugins', 'mine')
    expect((await writePluginSkeleton({name: 'clock', parent, language: 'js'})).dir).toBe(path.join(parent, 'clock'))
  })

  it('refuses names that cannot name a plugin with SCAFFOLD_NAME_INVALID', async () => {
    const parent = makeTempDir('steward-scaffold-')
    for (const name of ['Clock', '1clock', 'disk_usage', 'disk--usage', 'clock-', '../clock', '', 'a'.repeat(51)]) {
      expect(await stewardFailure(writePluginSkeleton({name, parent, language: 'ts'})), name).toMatchObject({code: 'SCAFFOLD_NAME_INVALID', exitCode: 64})
    }
    expect(fs.readdirSync(parent)).toEqual([])
  })
})
