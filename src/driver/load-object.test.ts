import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {makeHarness, makeTempDir, rejectionCode, removeTempDirs} from '../../test/helpers/service-harness.js'
import {stewardFailure} from '../../test/helpers/steward-failure.js'
import type {StewardError} from '../errors/index.js'
import {silentLogger} from '../log/logger.js'
import {Manager} from '../manager/manager.js'
import {Driver, type DriverContext} from './driver.js'
import {loadObject, type LoadObjectOptions} from './load-object.js'

abstract class SampleDriver extends Driver {
  static override requiredMethods = ['sample', 'close']
  abstract sample(): string
}

interface Sampled {
  sample(): string
  context?: DriverContext
}

const context: DriverContext = {config: {driver: 'test'}, log: silentLogger, host: 'h1', stateDir: '/nonexistent-state'}

const FIXTURE = `
export class ClassDriver {
  constructor(context) { this.context = context }
  sample() { return 'class' }
  close() {}
}
export function factoryDriver(context) { return {context, sample: () => 'factory', close() {}} }
export async function asyncFactory(context) { return {context, sample: () => 'async', close() {}} }
export const objectDriver = {sample: () => 'object', close() {}}
export const incomplete = {sample: () => 'incomplete'}
export class Empty {}
export const notADriver = 42
export function returnsNothing() {}
export default class DefaultDriver {
  constructor(context) { this.context = context }
  sample() { return 'default' }
  close() {}
}
`

let dir: string
beforeAll(() => {
  dir = makeTempDir('steward-drivers-')
  fs.writeFileSync(path.join(dir, 'drivers.mjs'), FIXTURE)
  fs.writeFileSync(path.join(dir, 'explodes.mjs'), `throw new Error('module exploded')\n`)
})
afterAll(removeTempDirs)

function options(extra: Partial<LoadObjectOptions> = {}): LoadObjectOptions {
  return {family: SampleDriver, context, lookup: () => undefined, cwd: dir, ...extra}
}

describe('loadObject', () => {
  it('resolves a plugin-provided name through the lookup, without importing anything', async () => {
    class NodeOs extends SampleDriver {
      sample(): string {
        return 'node-os'
      }
    }
    const asked: string[] = []
    const driver = await loadObject<SampleDriver>('node-os', options({lookup: (name) => (asked.push(name), NodeOs)}))
    expect(driver).toBeInstanceOf(NodeOs)
    expect(driver.sample()).toBe('node-os')
    expect(asked).toEqual(['node-os'])
  })

  it('fails with DRIVER_NOT_FOUND for a name no plugin provides', async () => {
    const error = await stewardFailure(loadObject('nosuch', options()))
    expect(error).toMatchObject({code: 'DRIVER_NOT_FOUND', data: {driver: 'nosuch'}})
    expect(error.message).toMatch(/"nosuch"/)
  })

  it('loads a module path relative to cwd, with #Export', async () => {
    const driver = await loadObject<Sampled>('./drivers.mjs#ClassDriver', options())
    expect(driver.sample()).toBe('class')
    // A class is constructed with the context.
    expect(driver.context).toBe(context)
  })

  it('takes the default export when no #Export is given, from an absolute path too', async () => {
    expect((await loadObject<Sampled>(path.join(dir, 'drivers.mjs'), options({cwd: '/'}))).sample()).toBe('default')
    expect((await loadObject<Sampled>('./drivers.mjs', options())).sample()).toBe('default')
  })

  it('calls a factory (awaiting an async one) with the context, and takes an object as it is', async () => {
    const made = await loadObject<Sampled>('./drivers.mjs#factoryDriver', options())
    expect([made.sample(), made.context]).toEqual(['factory', context])
    const awaited = await loadObject<Sampled>('./drivers.mjs#asyncFactory', options())
    expect([awaited.sample(), awaited.context]).toEqual(['async', context])
    const module = (await import(path.join(dir, 'drivers.mjs'))) as {objectDriver: object}
    expect(await loadObject('./drivers.mjs#objectDriver', options())).toBe(module.objectDriver)
  })

  it('imports a package or builtin specifier with #Export', async () => {
    const posix = await loadObject<typeof path.posix>('node:path#posix', {family: {name: 'PathLike', requiredMethods: ['join'], prototype: {}}, context, lookup: () => undefined})
    expect(posix.join('a', 'b')).toBe('a/b')
  })

  it('fails with DRIVER_NOT_FOUND for a missing module, a module that throws, or a missing export', async () => {
    expect(await rejectionCode(loadObject('./nope.mjs', options()))).toBe('DRIVER_NOT_FOUND')
    const exploded = await stewardFailure(loadObject('./explodes.mjs', options()))
    expect(exploded).toMatchObject({code: 'DRIVER_NOT_FOUND'})
    expect(exploded.message).toMatch(/module exploded/)
    const noExport = await stewardFailure(loadObject('./drivers.mjs#Nope', options()))
    expect(noExport).toMatchObject({code: 'DRIVER_NOT_FOUND', data: {driver: './drivers.mjs#Nope', exports: expect.arrayContaining(['ClassDriver', 'default'])}})
    expect(noExport.message).toMatch(/no export "Nope"/)
    expect(await rejectionCode(loadObject('./drivers.mjs#notADriver', options()))).toBe('DRIVER_NOT_FOUND')
  })

  it('fails with DRIVER_MISSING_METHOD listing every missing method', async () => {
    const one = await stewardFailure(loadObject('./drivers.mjs#incomplete', options()))
    expect(one).toMatchObject({code: 'DRIVER_MISSING_METHOD', data: {family: 'SampleDriver', missing: ['close']}})
    expect(one.message).toMatch(/does not implement close, required of every SampleDriver/)
    const both = await stewardFailure(loadObject('./drivers.mjs#Empty', options()))
    expect(both.data.missing).toEqual(['sample', 'close'])
    expect(both.message).toMatch(/sample, close/)
    expect(await rejectionCode(loadObject('./drivers.mjs#returnsNothing', options()))).toBe('DRIVER_MISSING_METHOD')
  })
})

describe('ManagerContext.loadDriver', () => {
  const loaded: unknown[] = []
  class DriverManager extends Manager {
    static override rpcApiVersion = '1.0'
    override async initHost(): Promise<void> {
      loaded.push(await this.context.loadDriver(SampleDriver))
    }
  }
  class Configured extends SampleDriver {
    sample(): string {
      return this.config.driver as string
    }
  }

  it('loads the topic\'s configured driver with the topic section, and fails clearly without one', async () => {
    const configured = makeHarness({managers: {share: DriverManager}, drivers: {'by-name': Configured}, env: {STEWARD_SHARE__DRIVER: 'by-name'}})
    await configured.create({topic: 'share'}).start()
    expect(loaded).toHaveLength(1)
    expect((loaded[0] as Configured).sample()).toBe('by-name')
    await configured.stopAll()

    const unconfigured = makeHarness({managers: {share: DriverManager}})
    const error = await unconfigured
      .create({topic: 'share'})
      .start()
      .catch((failed: unknown) => failed as StewardError)
    expect(error).toMatchObject({code: 'DRIVER_NOT_FOUND'})
    expect(error!.suggestions.join(' ')).toMatch(/STEWARD_SHARE__DRIVER/)
  })
})
