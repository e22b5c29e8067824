import {StewardError} from '../errors/index.js'
import type {ManagerClass} from './manager.js'
import type {PeriodicTaskDeclarations} from './periodic-tasks.js'

/** What a manager class declares, merged along its class chain and checked. */
export interface ManagerContract {
  rpcApiVersion: string
  rpcMethods: ReadonlySet<string>
  periodicTasks: PeriodicTaskDeclarations
}

const VERSION = /^\d+\.\d+$/

/**
 * Read and check a manager class's declarations. Subclasses add to their parents' RPC methods
 * and periodic tasks rather than replacing them (Manila's metaclass copies the parent's lists).
 */
export function readManagerContract(managerClass: ManagerClass): ManagerContract {
  const name = managerClass.name || 'anonymous manager'
  if (typeof managerClass !== 'function' || typeof managerClass.prototype?.initHost !== 'function') {
    throw new StewardError('MANAGER_INVALID', `${name} is not a manager: it does not extend Manager from "steward".`)
  }
  const version = managerClass.rpcApiVersion
  const declare = `Declare it in ${name}: static override rpcApiVersion = '1.0' (in JavaScript: static rpcApiVersion = '1.0').`
  if (version === undefined || version === null || version === '') {
    throw new StewardError('MANAGER_RPC_VERSION_MISSING', `${name} declares no rpcApiVersion: every manager states the RPC API version it serves.`, {
      data: {manager: name},
      suggestions: [declare],
    })
  }
  if (typeof version !== 'string' || !VERSION.test(version)) {
    throw new StewardError('MANAGER_INVALID', `${name} has an invalid rpcApiVersion ${JSON.stringify(version)}: it must be "major.minor" text such as '1.0'.`, {
      data: {manager: name},
      suggestions: [declare],
    })
  }

  const rpcMethods = new Set<string>()
  const periodicTasks: PeriodicTaskDeclarations = {}
  for (const ancestor of classChain(managerClass).reverse()) {
    for (const method of Object.hasOwn(ancestor, 'rpcMethods') ? ancestor.rpcMethods : []) rpcMethods.add(method)
    if (Object.hasOwn(ancestor, 'periodicTasks')) Object.assign(periodicTasks, ancestor.periodicTasks)
  }
  for (const method of rpcMethods) {
    if (method.startsWith('_')) {
      throw new StewardError('MANAGER_INVALID', `${name} declares RPC method "${method}": names starting with "_" are private.`)
    }
    if (typeof (managerClass.prototype as unknown as Record<string, unknown>)[method] !== 'function') {
      throw new StewardError('MANAGER_INVALID', `${name} declares RPC method "${method}" but has no such method.`)
    }
  }
  return {rpcApiVersion: version, rpcMethods, periodicTasks}
}

function classChain(managerClass: ManagerClass): ManagerClass[] {
  const chain: ManagerClass[] = []
  for (let current: unknown = managerClass; typeof current === 'function' && current !== Function.prototype; current = Object.getPrototypeOf(current)) {
    chain.push(current as ManagerClass)
  }
  return chain
}
