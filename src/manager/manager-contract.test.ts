import {describe, expect, it} from 'vitest'
import {isStewardError, type ErrorCode, type StewardError} from '../errors/index.js'
import {readManagerContract} from './manager-contract.js'
import {Manager, type ManagerClass, type ManagerContext} from './manager.js'
import type {PeriodicTaskDeclarations} from './periodic-tasks.js'
import {SchedulerDependentManager} from './scheduler-dependent-manager.js'

function refusal(managerClass: unknown, code: ErrorCode): StewardError {
  try {
    readManagerContract(managerClass as ManagerClass)
  } catch (error) {
    if (isStewardError(error, code)) return error
    throw error
  }
  throw new Error(`expected ${code}`)
}
const invalid = (managerClass: unknown): string => refusal(managerClass, 'MANAGER_INVALID').message

class ParentManager extends Manager {
  static override rpcApiVersion = '1.4'
  static override rpcMethods = ['create', 'remove']
  static override periodicTasks: PeriodicTaskDeclarations = {refresh: {spacing: 30}, report: {spacing: 60}}
  create(): void {}
  remove(): void {}
  refresh(): void {}
  report(): void {}
}

describe('readManagerContract', () => {
  it('reads the version, the base RPC methods and no periodic tasks from a minimal manager', () => {
    class Minimal extends Manager {
      static override rpcApiVersion = '1.0'
    }
    expect(readManagerContract(Minimal)).toEqual({rpcApiVersion: '1.0', rpcMethods: new Set(['serviceVersion', 'serviceConfig']), periodicTasks: {}})
  })

  it('refuses a manager without rpcApiVersion with MANAGER_RPC_VERSION_MISSING, saying how to declare it', () => {
    class Missing extends Manager {}
    const missing = refusal(Missing, 'MANAGER_RPC_VERSION_MISSING')
    expect(missing.message).toMatch(/Missing declares no rpcApiVersion/)
    expect(missing).toMatchObject({data: {manager: 'Missing'}, suggestions: [expect.stringContaining("static override rpcApiVersion = '1.0'")]})
    class Emptied extends Manager {
      static override rpcApiVersion = ''
    }
    expect(refusal(Emptied, 'MANAGER_RPC_VERSION_MISSING').message).toMatch(/Emptied declares no rpcApiVersion/)
  })

  it('refuses a malformed rpcApiVersion with MANAGER_INVALID', () => {
    for (const version of ['1', 'v1.0', '1.0.0', ' 1.0', 1.0, 2]) {
      class Bad extends Manager {
        static override rpcApiVersion = version as string
      }
      expect(invalid(Bad), String(version)).toMatch(/invalid rpcApiVersion .* must be "major.minor" text/)
    }
    class Good extends Manager {
      static override rpcApiVersion = '12.34'
    }
    expect(readManagerContract(Good).rpcApiVersion).toBe('12.34')
  })

  it('refuses an RPC method whose name starts with "_", even when it exists', () => {
    class Private extends Manager {
      static override rpcApiVersion = '1.0'
      static override rpcMethods = ['_secret']
      _secret(): void {}
    }
    expect(invalid(Private)).toMatch(/"_secret".*private/)
  })

  it('refuses an RPC method the class does not have', () => {
    class Ghost extends Manager {
      static override rpcApiVersion = '1.0'
      static override rpcMethods = ['haunt']
    }
    expect(invalid(Ghost)).toMatch(/declares RPC method "haunt" but has no such method/)
  })

  it('refuses a class that does not extend Manager', () => {
    class Stranger {
      static rpcApiVersion = '1.0'
      static rpcMethods = []
      static periodicTasks = {}
    }
    expect(invalid(Stranger)).toMatch(/Stranger is not a manager/)
    expect(invalid({rpcApiVersion: '1.0'})).toMatch(/is not a manager/)
  })

  it('merges RPC methods and periodic tasks with the parent classes', () => {
    class Child extends ParentManager {
      static override rpcMethods = ['resize']
      static override periodicTasks = {prune: {spacing: 10}, report: {spacing: 120}}
      resize(): void {}
      prune(): void {}
    }
    const contract = readManagerContract(Child)
    expect(contract.rpcApiVersion).toBe('1.4')
    expect([...contract.rpcMethods].sort()).toEqual(['create', 'remove', 'resize', 'serviceConfig', 'serviceVersion'])
    // The child's declaration of a task the parent also declares wins.
    expect(contract.periodicTasks).toEqual({refresh: {spacing: 30}, report: {spacing: 120}, prune: {spacing: 10}})
    // The parent is unchanged.
    expect([...readManagerContract(ParentManager).rpcMethods].sort()).toEqual(['create', 'remove', 'serviceConfig', 'serviceVersion'])
    expect(ParentManager.periodicTasks).toEqual({refresh: {spacing: 30}, report: {spacing: 60}})
  })

  it('inherits everything from a parent when the child declares nothing', () => {
    class Quiet extends ParentManager {}
    const contract = readManagerContract(Quiet)
    expect([...contract.rpcMethods].sort()).toEqual(['create', 'remove', 'serviceConfig', 'serviceVersion'])
    expect(Object.keys(contract.periodicTasks).sort()).toEqual(['refresh', 'report'])
  })

  it('keeps SchedulerDependentManager\'s publishing task and RPC method in its subclasses', () => {
    class ShareManager extends SchedulerDependentManager {
      static override rpcApiVersion = '1.30'
      static override rpcMethods = ['createShare']
      static override periodicTasks = {reportDriverStatus: {spacing: 60}}
      createShare(): void {}
      reportDriverStatus(): void {}
    }
    const contract = readManagerContract(ShareManager)
    expect([...contract.rpcMethods].sort()).toEqual(['createShare', 'publishServiceCapabilities', 'serviceConfig', 'serviceVersion'])
    expect(Object.keys(contract.periodicTasks).sort()).toEqual(['publishServiceCapabilities', 'reportDriverStatus'])
  })
})

describe('Manager', () => {
  it('takes host and service name from its context, is ready by default, and serves version and config', async () => {
    class Plain extends Manager {
      static override rpcApiVersion = '1.0'
    }
    const context = {host: 'h1@backend', serviceName: 'share', config: {driver: 'x'}, pluginVersion: '2.3.4', log: {} as ManagerContext['log']} as ManagerContext
    const manager = new Plain(context)
    expect([manager.host, manager.serviceName]).toEqual(['h1@backend', 'share'])
    expect(await manager.isServiceReady()).toBe(true)
    await expect(manager.initHost(1)).resolves.toBeUndefined()
    await expect(manager.initHostWithRpc(1)).resolves.toBeUndefined()
    expect(manager.serviceVersion()).toBe('2.3.4')
    expect(manager.serviceConfig()).toEqual({driver: 'x'})
  })
})
