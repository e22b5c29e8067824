import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterEach, beforeAll, describe, expect, it} from 'vitest'
import type {ServiceView} from '../../src/service/service-state.js'
import {killLeftovers, makeTestDir, repoRoot, runCli, runJson, StewardProcess, writeConfig} from '../helpers/steward-process.js'

afterEach(killLeftovers)

let dir: string

/** A state directory holding the stopped records of two hosts. */
beforeAll(async () => {
  dir = await makeTestDir()
  await writeConfig(dir, {report_interval: 1, periodic_fuzzy_delay: 0, service_down_time: 1, sysinfo: {driver: 'node-os'}})
  for (const host of ['a', 'b']) {
    const process = new StewardProcess(['start', 'sysinfo', '--host', host], {cwd: dir})
    await process.waitForOutput(new RegExp(`host ${host} running`))
    process.kill('SIGTERM')
    await process.exited
  }
})

const list = (...args: string[]): Promise<ServiceView[]> => runJson<ServiceView[]>(['services', 'list', ...args], {cwd: dir})

describe('steward services', () => {
  it('lists with the documented JSON fields and filters', async () => {
    const services = await list()
    expect(services.map((service) => Object.keys(service).sort())).toEqual(
      Array.from({length: 2}, () => ['binary', 'createdAt', 'disabledReason', 'host', 'id', 'reportCount', 'state', 'status', 'topic', 'updatedAt', 'zone']),
    )
    expect((await list('--host', 'a')).map((service) => service.host)).toEqual(['a'])
    expect(await list('--state', 'up')).toEqual([])
    expect((await list('--state', 'stopped', '--topic', 'sysinfo', '--binary', 'steward-sysinfo')).length).toBe(2)
  })

  it('prints a table without --json', async () => {
    const result = await runCli(['services', 'list'], {cwd: dir})
    expect(result.stdout.split('\n')[0]).toMatch(/^Id\s+Binary\s+Host\s+Zone\s+Status\s+State\s+Updated at/)
    expect(result.stdout).toMatch(/steward-sysinfo\s+a\s+nova\s+enabled\s+stopped/)
  })

  it('disables with a reason and enables again, clearing it', async () => {
    const disabled = await runJson<ServiceView>(['services', 'disable', '--host', 'a', '--binary', 'steward-sysinfo', '--reason', ' maintenance '], {cwd: dir})
    expect(disabled).toMatchObject({status: 'disabled', disabledReason: 'maintenance'})
    expect((await list('--status', 'disabled')).map((service) => service.host)).toEqual(['a'])
    const enabled = await runJson<ServiceView>(['services', 'enable', '--host', 'a', '--binary', 'steward-sysinfo'], {cwd: dir})
    expect(enabled).toMatchObject({status: 'enabled', disabledReason: null})
  })

  it('refuses a reason over 255 characters and an unknown service', async () => {
    const long = await runCli(['services', 'disable', '--host', 'a', '--binary', 'steward-sysinfo', '--reason', 'x'.repeat(256)], {cwd: dir})
    expect(long.code).toBe(64)
    expect(long.stderr).toContain('SERVICE_REASON_INVALID')
    const missing = await runCli(['services', 'enable', '--host', 'nowhere', '--binary', 'steward-sysinfo'], {cwd: dir})
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('No service steward-sysinfo on host nowhere')
  })

  it('removes one record, and cleans up the stopped stale ones', async () => {
    const removed = await runJson<{host: string}>(['services', 'remove', '--host', 'b', '--binary', 'steward-sysinfo'], {cwd: dir})
    expect(removed.host).toBe('b')
    expect((await list()).map((service) => service.host)).toEqual(['a'])
    const cleaned = await runJson<Array<{host: string}>>(['services', 'cleanup', '--topic', 'sysinfo'], {cwd: dir})
    expect(cleaned.map((record) => record.host)).toEqual(['a'])
    expect(await list()).toEqual([])
  })
})

describe('steward managers and drivers', () => {
  it('name the providing plugin and file, without running plugin code', async () => {
    const work = await makeTestDir()
    const marker = path.join(work, 'imported')
    await writeConfig(work, {plugin_dirs: [path.join(repoRoot, 'test', 'fixtures', 'plugins')]})
    const managers = await runJson<Array<{name: string; plugin: string; version: string; file: string}>>(['managers'], {cwd: work, env: {IMPORT_MARKER: marker}})
    expect(managers).toContainEqual({name: 'marker', plugin: 'fixture-import-marker', version: '2.0.0', source: 'plugin_dirs', file: path.join(repoRoot, 'test', 'fixtures', 'plugins', 'import-marker', 'entry.js')})
    expect(managers).toContainEqual(expect.objectContaining({name: 'sysinfo', plugin: 'steward-plugin-sysinfo', source: 'bundled'}))
    const drivers = await runJson<Array<{name: string; plugin: string}>>(['drivers'], {cwd: work, env: {IMPORT_MARKER: marker}})
    expect(drivers.map((driver) => `${driver.plugin}:${driver.name}`).sort()).toEqual([
      'fixture-incomplete-driver:incomplete',
      'steward-plugin-share:share-localfs',
      'steward-plugin-share:share-memory',
      'steward-plugin-sysinfo:node-os',
      'steward-plugin-sysinfo:procfs',
    ])
    await expect(readFile(marker, 'utf8')).rejects.toThrow(/ENOENT/)
  })

  it('a plain JavaScript plugin loads and runs when its manager is started', async () => {
    const work = await makeTestDir()
    const marker = path.join(work, 'imported')
    await writeConfig(work, {plugin_dirs: [path.join(repoRoot, 'test', 'fixtures', 'plugins')]})
    const host = new StewardProcess(['start', 'marker', '--host', 'm'], {cwd: work, env: {IMPORT_MARKER: marker}})
    await host.waitForOutput(/host m running/)
    expect(await readFile(marker, 'utf8')).toBe('imported\n')
    host.kill('SIGTERM')
    expect((await host.exited).code).toBe(0)
  })

  it('commands that only read import no plugin code, Ink, ZeroMQ or the TypeScript loader', async () => {
    const work = await makeTestDir()
    const log = path.join(work, 'imports.log')
    await writeConfig(work, {plugin_dirs: [path.join(repoRoot, 'test', 'fixtures', 'plugins')]})
    const recorder = ['--import', path.join(repoRoot, 'test', 'fixtures', 'record-imports.mjs')]
    for (const args of [['managers', '--json'], ['config', 'show', '--json'], ['--help']]) {
      const result = await runCli(args, {cwd: work, env: {IMPORT_LOG: log}, nodeArgs: recorder})
      expect(result.code, result.stderr).toBe(0)
    }
    const urls = (await readFile(log, 'utf8')).split('\n')
    expect(urls.some((url) => url.includes('/dist/commands/managers.js'))).toBe(true)
    const pluginDirs = [path.join(repoRoot, 'plugins'), path.join(repoRoot, 'test', 'fixtures', 'plugins')].map((dir) => pathToFileURL(dir).href)
    const forbidden = urls.filter((url) => /\/node_modules\/(ink|react|zeromq|tsx)\/|\/dist\/service\//.test(url) || pluginDirs.some((dir) => url.startsWith(dir)))
    expect(forbidden).toEqual([])
  })
})
