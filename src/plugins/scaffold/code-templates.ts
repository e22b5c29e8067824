import type {ScaffoldNames} from './scaffold-names.js'

// The plugin's code. Text between « and » is TypeScript only (see forLanguage).

export function entryTemplate({name, pascal, packageName, stewardRange, driver}: ScaffoldNames): string {
  return `import {definePlugin} from 'steward'
import {CounterDriver} from './drivers/counter.js'
import {${pascal}Manager} from './${name}-manager.js'

/**
 * The plugin: what it provides, by name. The names must match "steward" in package.json, which lets
 * steward list them without running this code.
 */
export default definePlugin({
  name: '${packageName}',
  steward: '${stewardRange}',
  managers: {'${name}': ${pascal}Manager},
  drivers: {'${driver}': CounterDriver},
})
`
}

export function managerTemplate({name, pascal, driver}: ScaffoldNames): string {
  return `import {Manager«, type RequestContext»} from 'steward'
import {${pascal}Driver«, type Reading»} from './${name}-driver.js'

«/** What \`status\` answers. */
export interface ${pascal}Status {
  host: string
  readings: number
  last: Reading | null
}

»/**
 * The ${name} service. Every 30 seconds it takes a reading through its driver (the \`${name}.driver\`
 * option chooses which) and keeps the last one, in memory and in the state store.
 */
export class ${pascal}Manager extends Manager {
  /** The RPC API version served: raise the minor when you add a method, the major when you change one. */
  static «override »rpcApiVersion = '1.0'
  /** The methods other services, and \`steward call\`, may call. */
  static «override »rpcMethods = ['status', 'read']
  /** Methods run on a timer: spacing in seconds; runImmediately also runs one right after start. */
  static «override »periodicTasks = {
    poll: {spacing: 30, runImmediately: true},
  }

  «private »driver«: ${pascal}Driver | undefined» = undefined
  «private »last«: Reading | null» = null
  «private »readings = 0

  /** Runs before the service listens for RPC: load and set up the driver. Throwing fails the start. */
  «override »async initHost()«: Promise<void>» {
    this.driver = await this.context.loadDriver(${pascal}Driver, this.context.config.driver ?? '${driver}')
    await this.driver.doSetup()
  }

  /** While this is false the service skips its heartbeats, so it reads as down. */
  «override »isServiceReady()«: boolean» {
    return this.driver?.initialized ?? false
  }

  /** The periodic task. */
  async poll()«: Promise<void>» {
    const reading = await this.takeReading()
    this.log.debug('${name} polled', {value: reading.value})
  }

  /** RPC: what the service knows. */
  status(_ctx«: RequestContext»)«: ${pascal}Status» {
    return {host: this.host, readings: this.readings, last: this.last}
  }

  /** RPC: take a reading now. */
  read(_ctx«: RequestContext»)«: Promise<Reading>» {
    return this.takeReading()
  }

  /** Runs once when the service stops: release the driver. */
  «override »async cleanupHost()«: Promise<void>» {
    await this.driver?.close()
  }

  «private »async takeReading()«: Promise<Reading>» {
    if (this.driver === undefined) throw new Error('the ${name} driver is not loaded')
    const reading = await this.driver.read()
    this.last = reading
    this.readings += 1
    // Plugin data lives in the state store, in collections of this plugin's own.
    await this.context.collection('readings').put({id: this.host, ...reading})
    return reading
  }
}
`
}

export function driverFamilyTemplate({name, pascal}: ScaffoldNames): string {
  return `import {Driver} from 'steward'

«/** One reading of the backend. */
export interface Reading {
  value: number
  /** When it was taken, ISO 8601. */
  takenAt: string
}

»/**
 * The ${name} driver family: what every ${name} driver implements. A driver that lacks one of the
 * \`requiredMethods\` fails to load with DRIVER_MISSING_METHOD.
 */
export «abstract »class ${pascal}Driver extends Driver {
  static «override »requiredMethods = ['read']«

  /** Take one reading. */
  abstract read(): Promise<Reading>»
}
`
}

export function driverTemplate({name, pascal}: ScaffoldNames): string {
  return `import {${pascal}Driver«, type Reading»} from '../${name}-driver.js'

/**
 * A driver that counts: each reading is one more than the last, from the \`start\` option of the
 * ${name} section (default 0). Replace it with one that reads a real backend.
 */
export class CounterDriver extends ${pascal}Driver {
  «private »value = 0

  /** Prepare the backend; the manager reports ready once \`initialized\` is true. */
  «override »async doSetup()«: Promise<void>» {
    const start = this.config.start ?? 0
    if (typeof start !== 'number') throw new Error('${name}.start must be a number, found ' + JSON.stringify(start))
    this.value = start
    this.initialized = true
  }

  async read()«: Promise<Reading>» {
    this.value += 1
    return {value: this.value, takenAt: new Date().toISOString()}
  }
}
`
}

export function testTemplate({name, pascal, driver}: ScaffoldNames): string {
  return `import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'
import {startTestHost«, type TestHost»} from 'steward/testing'
«import type {${pascal}Status} from '../${name}-manager.js'
»
// This plugin's folder: the test host loads it from source, as a real host does.
const pluginDir = fileURLToPath(new URL('..', import.meta.url))

describe('${name}', () => {
  let host«: TestHost»

  before(async () => {
    host = await startTestHost({
      plugins: [pluginDir],
      topics: ['${name}'],
      config: {'${name}': {driver: '${driver}', start: 41}},
    })
  })
  after(() => host.stop())

  it('polls its driver as soon as it starts', async () => {
    await host.waitForLog('${name} polled')
    const status = await host.call«<${pascal}Status>»('${name}', 'status')
    assert.equal(status.host, 'test-host')
    assert.equal(status.readings, 1)
    assert.equal(status.last?.value, 42)
  })

  it('takes a reading when called', async () => {
    const reading = await host.call«<{value: number}>»('${name}', 'read')
    assert.equal(reading.value, 43)
    const status = await host.call«<${pascal}Status>»('${name}', 'status')
    assert.deepEqual(status.last, reading)
  })
})
`
}
