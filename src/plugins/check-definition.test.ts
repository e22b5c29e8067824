import {describe, expect, it} from 'vitest'
import {Driver} from '../driver/driver.js'
import {isStewardError, type ErrorCode, type StewardError} from '../errors/index.js'
import {Manager} from '../manager/manager.js'
import {checkDefinition} from './check-definition.js'
import {definePlugin, type PluginDefinition} from './define-plugin.js'
import {stewardVersion} from './package-root.js'

const entry = '/plugins/clock/index.ts'
const manifest = {name: 'steward-plugin-clock', entry, managers: ['clock'], drivers: ['system']}

class ClockManager extends Manager {
  static override rpcApiVersion = '1.0'
}

abstract class ClockDriver extends Driver {
  static override requiredMethods = ['now', 'close']
  abstract now(): number
}

class SystemClock extends ClockDriver {
  now(): number {
    return Date.now()
  }
}

const good: PluginDefinition = {name: manifest.name, steward: `^${stewardVersion}`, managers: {clock: ClockManager}, drivers: {system: SystemClock}}

function refusal(definition: unknown, code: ErrorCode): StewardError {
  try {
    checkDefinition(definition, manifest)
  } catch (error) {
    if (isStewardError(error, code)) return error
    throw error
  }
  throw new Error(`expected ${code}`)
}

describe('checkDefinition', () => {
  it('passes a good definition through', () => {
    const defined = definePlugin(good)
    expect(checkDefinition(defined, manifest)).toBe(defined)
  })

  it('refuses an entry that does not default-export definePlugin(...) with PLUGIN_INVALID naming the file', () => {
    const error = refusal({...good}, 'PLUGIN_INVALID')
    expect(error.message).toBe(`Plugin steward-plugin-clock (${entry}): the entry must \`export default definePlugin({...})\` from "steward".`)
    expect(error.data).toMatchObject({plugin: 'steward-plugin-clock', file: entry})
  })

  it('refuses a definePlugin without a name with PLUGIN_NAME_MISSING, and another name with PLUGIN_INVALID', () => {
    for (const name of [undefined, '']) {
      const error = refusal(definePlugin({...good, name: name as unknown as string}), 'PLUGIN_NAME_MISSING')
      expect(error.message).toMatch(/definePlugin\(\{...\}\) has no name/)
      expect(error.suggestions[0]).toBe("Add name: 'steward-plugin-clock' (the name of its package.json).")
    }
    expect(refusal(definePlugin({...good, name: 'clock'}), 'PLUGIN_INVALID').message).toMatch(/definePlugin names "clock" but package.json names "steward-plugin-clock"/)
  })

  it('refuses a steward range that excludes this version with PLUGIN_INCOMPATIBLE, and one that is no range with PLUGIN_INVALID', () => {
    const error = refusal(definePlugin({...good, steward: '>=99.0.0'}), 'PLUGIN_INCOMPATIBLE')
    expect(error.message).toContain(`it requires steward >=99.0.0, this is ${stewardVersion}.`)
    expect(error.data).toMatchObject({range: '>=99.0.0', stewardVersion})
    for (const steward of ['', 'latest please', undefined]) {
      expect(refusal(definePlugin({...good, steward: steward as unknown as string}), 'PLUGIN_INVALID').message).toMatch(/is not a semver range/)
    }
  })

  it('refuses names that differ from package.json with PLUGIN_INVALID', () => {
    expect(refusal(definePlugin({...good, drivers: {}}), 'PLUGIN_INVALID').message).toMatch(/declares drivers \[system\] but definePlugin provides \[\]/)
  })

  it('refuses a manager without rpcApiVersion with MANAGER_RPC_VERSION_MISSING, naming the plugin, file and manager', () => {
    class Versionless extends Manager {}
    const error = refusal(definePlugin({...good, managers: {clock: Versionless}}), 'MANAGER_RPC_VERSION_MISSING')
    expect(error.message).toBe(`Plugin steward-plugin-clock (${entry}): manager "clock": Versionless declares no rpcApiVersion: every manager states the RPC API version it serves.`)
    expect(error.data).toMatchObject({plugin: 'steward-plugin-clock', file: entry, manager: 'clock'})
    expect(error.suggestions[0]).toMatch(/static override rpcApiVersion = '1.0'/)
  })

  it('keeps the other manager contract failures as MANAGER_INVALID', () => {
    class Ghost extends ClockManager {
      static override rpcMethods = ['haunt']
    }
    expect(refusal(definePlugin({...good, managers: {clock: Ghost}}), 'MANAGER_INVALID').message).toMatch(/manager "clock": Ghost declares RPC method "haunt" but has no such method/)
  })

  it('refuses a driver class missing a method its family requires with DRIVER_MISSING_METHOD', () => {
    // @ts-expect-error -- the missing method is what is tested.
    class Stopped extends ClockDriver {}
    const error = refusal(definePlugin({...good, drivers: {system: Stopped}}), 'DRIVER_MISSING_METHOD')
    // close comes from Driver itself, so only now is missing.
    expect(error.message).toBe(`Plugin steward-plugin-clock (${entry}): driver "system" (Stopped) does not implement now, required of every ClockDriver.`)
    expect(error.data).toMatchObject({driver: 'system', family: 'ClockDriver', missing: ['now']})
    expect(error.suggestions[0]).toBe('Implement now() in Stopped.')
  })

  it('passes route sets and middleware, and refuses malformed ones with PLUGIN_INVALID naming the entry', () => {
    const routes = {
      'clock-api': {prefix: '/clock', routes: [{method: 'GET', path: '/now', handler: () => Date.now()}], example: {method: 'GET', path: '/now'}},
      'clock-audit': {onRequest: () => undefined},
    } as const
    const withRoutes = {...manifest, routes: Object.keys(routes)}
    expect(() => checkDefinition(definePlugin({...good, routes}), withRoutes)).not.toThrow()
    const refusals: Array<[unknown, RegExp]> = [
      [{prefix: '/v1/clock', routes: [{method: 'GET', path: '/', handler: () => 1}]}, /prefix \/v1\/clock is steward's own/],
      [{prefix: 'clock', routes: [{method: 'GET', path: '/', handler: () => 1}]}, /prefix "clock" must be a path/],
      [{routes: []}, /routes must be a non-empty list/],
      [{routes: [{method: 'TRACE', path: '/', handler: () => 1}]}, /route 1 \(TRACE \/\) method must be one of GET, POST, PUT, PATCH, DELETE/],
      [{routes: [{method: 'GET', path: '/x', handler: 'nope'}]}, /route 1 \(GET \/x\) handler must be a function/],
      [{routes: [{method: 'GET', path: '/x', handler: () => 1, status: 404}]}, /status must be a 2xx status/],
      [{routes: [{method: 'GET', path: '/x', handler: () => 1, schema: {headers: {}}}]}, /schema.headers is unknown/],
      [{routes: [{method: 'GET', path: '/x', handler: () => 1}], example: {path: '/x'}}, /example must be \{method, path, body\?\}/],
      [{routes: [{method: 'GET', path: '/x', handler: () => 1}], examples: []}, /has "examples": a route set has only prefix, routes and example/],
      [{onrequest: () => undefined}, /has "onrequest"/],
      [{}, /middleware without hooks/],
      [{onRequest: 'later'}, /onRequest must be a function/],
    ]
    for (const [candidate, message] of refusals) {
      const error = (() => {
        try {
          checkDefinition(definePlugin({...good, routes: {'clock-api': candidate as never}}), {...manifest, routes: ['clock-api']})
        } catch (thrown) {
          return thrown as StewardError
        }
        throw new Error(`expected ${JSON.stringify(candidate)} to be refused`)
      })()
      expect(error.code).toBe('PLUGIN_INVALID')
      expect(error.message.startsWith(`Plugin steward-plugin-clock (${entry}): routes "clock-api" `)).toBe(true)
      expect(error.message).toMatch(message)
    }
    expect(refusal(definePlugin({...good, routes}), 'PLUGIN_INVALID').message).toMatch(/declares routes \[\] but definePlugin provides \[clock-api, clock-audit\]/)
  })

  it('leaves factories, objects and drivers of no family to the check when a manager loads them', () => {
    class Familyless extends Driver {}
    const drivers = {system: (): object => ({}), object: {}, familyless: Familyless}
    expect(() => checkDefinition(definePlugin({...good, drivers}), {...manifest, drivers: Object.keys(drivers)})).not.toThrow()
  })
})
