import {mkdtemp, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'
import {isStewardError} from '../errors/index.js'
import {loadConfig} from './load-config.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'steward-config-'))
})

async function file(content: unknown, name = 'steward.json'): Promise<string> {
  const target = path.join(dir, name)
  await writeFile(target, typeof content === 'string' ? content : JSON.stringify(content))
  return target
}

function failure(run: () => unknown): {code: string; message: string; suggestions: readonly string[]} {
  try {
    run()
  } catch (error) {
    if (isStewardError(error)) return error
    throw error
  }
  throw new Error('expected a StewardError')
}

describe('loadConfig', () => {
  it('layers defaults < file < environment < flags and records each source', async () => {
    const config = await file({report_interval: 3, service_down_time: 20, host: 'from-file'})
    const loaded = loadConfig({
      cwd: dir,
      env: {STEWARD_CONFIG: config, STEWARD_SERVICE_DOWN_TIME: '15', STEWARD_HOST: 'from-env'},
      flags: {host: 'from-flag'},
    })
    expect(loaded.options).toMatchObject({report_interval: 3, service_down_time: 15, host: 'from-flag', periodic_interval: 60})
    expect(loaded.sources.report_interval).toEqual({kind: 'file', file: config})
    expect(loaded.sources.service_down_time).toEqual({kind: 'env', variable: 'STEWARD_SERVICE_DOWN_TIME'})
    expect(loaded.sources.host).toEqual({kind: 'flag', flag: '--host'})
    expect(loaded.sources.periodic_interval).toEqual({kind: 'default'})
    expect(loaded.file).toBe(config)
  })

  it('reads ./steward.json from the working directory when no file is named', async () => {
    await file({report_interval: 7})
    expect(loadConfig({cwd: dir, env: {}}).options.report_interval).toBe(7)
  })

  it('uses defaults when there is no file', () => {
    const loaded = loadConfig({cwd: dir, env: {}})
    expect(loaded.file).toBeUndefined()
    expect(loaded.options).toMatchObject({report_interval: 10, periodic_interval: 60, periodic_fuzzy_delay: 60, service_down_time: 60, cleanup_interval: 1800, enable_new_services: true})
  })

  it('resolves state_dir relative to the file it is written in', async () => {
    await file({state_dir: 'state'})
    expect(loadConfig({cwd: dir, env: {}}).options.state_dir).toBe(path.join(dir, 'state'))
    expect(loadConfig({cwd: '/tmp', env: {STEWARD_CONFIG: path.join(dir, 'steward.json')}}).options.state_dir).toBe(path.join(dir, 'state'))
  })

  it('names the file, key, expectation and finding of a wrong value', async () => {
    const config = await file({report_interval: 'ten'})
    const error = failure(() => loadConfig({cwd: dir, env: {}}))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toBe(`Invalid configuration file ${config}: report_interval must be a number ≥ 0, found "ten" (string).`)
  })

  it('names the environment variable of a wrong value', () => {
    const error = failure(() => loadConfig({cwd: dir, env: {STEWARD_ENABLE_NEW_SERVICES: 'maybe'}}))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain('environment variable STEWARD_ENABLE_NEW_SERVICES: enable_new_services must be true or false, found "maybe"')
  })

  it('checks the known keys of topic sections', async () => {
    await file({sysinfo: {driver: 42}})
    const error = failure(() => loadConfig({cwd: dir, env: {}}))
    expect(error.message).toContain('sysinfo.driver must be a non-empty string, found 42 (number)')
  })

  it('reads topic sections from the file and the environment', async () => {
    await file({sysinfo: {driver: 'procfs', sample_every: 5}})
    const loaded = loadConfig({cwd: dir, env: {STEWARD_SYSINFO__DRIVER: 'node-os', STEWARD_SHARE__BACKENDS: '["a","b"]'}})
    expect(loaded.topics).toEqual({sysinfo: {driver: 'node-os', sample_every: 5}, share: {backends: ['a', 'b']}})
    expect(loaded.sources['sysinfo.driver']).toEqual({kind: 'env', variable: 'STEWARD_SYSINFO__DRIVER'})
  })

  it('parses lists and booleans from the environment', () => {
    const loaded = loadConfig({cwd: dir, env: {STEWARD_SERVICES: 'a, b', STEWARD_ENABLE_NEW_SERVICES: 'no'}})
    expect(loaded.options.services).toEqual(['a', 'b'])
    expect(loaded.options.enable_new_services).toBe(false)
  })

  it('refuses an unknown option and suggests the near one', async () => {
    await file({report_intervall: 5})
    const error = failure(() => loadConfig({cwd: dir, env: {}}))
    expect(error.code).toBe('CONFIG_UNKNOWN_OPTION')
    expect(error.suggestions[0]).toBe('Did you mean "report_interval"?')
  })

  it('reports invalid JSON with its position', async () => {
    await file('{"report_interval": 5,}')
    const error = failure(() => loadConfig({cwd: dir, env: {}}))
    expect(error.code).toBe('CONFIG_FILE_UNREADABLE')
    expect(error.message).toMatch(/is not valid JSON: .*position/)
  })

  it('reports a named file that does not exist', () => {
    const error = failure(() => loadConfig({cwd: dir, env: {}, flags: {config: 'missing.json'}}))
    expect(error.code).toBe('CONFIG_FILE_NOT_FOUND')
    expect(error.message).toContain(path.join(dir, 'missing.json'))
  })

  it('refuses a top level that is not an object', async () => {
    await file('[1, 2]')
    expect(failure(() => loadConfig({cwd: dir, env: {}})).code).toBe('CONFIG_INVALID')
  })
})
