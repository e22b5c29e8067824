import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {StewardError, describeError} from '../errors/index.js'
import type {DriverFamily} from '../manager/manager.js'
import {missingMethods, type DriverContext} from './driver.js'

/** Where plugin-provided drivers are looked up by name. */
export type DriverLookup = (name: string) => Promise<unknown> | unknown

export interface LoadObjectOptions {
  family: DriverFamily
  context: DriverContext
  /** Resolves a plugin-provided driver name to its export; undefined when no plugin has it. */
  lookup: DriverLookup
  /** Base directory for relative module paths. */
  cwd?: string
}

/**
 * Build a driver from a spec: a plugin-provided driver name (`localfs`), or a module path with an
 * optional export name (`./drivers/custom.js#CustomDriver`, `some-package#Driver`; the default
 * export otherwise). The export may be a class (constructed with the context), a factory
 * function (called with it) or a ready object. The result must implement every method the
 * family requires.
 */
export async function loadObject<T extends object>(spec: string, options: LoadObjectOptions): Promise<T> {
  const exported = await resolveExport(spec, options)
  const instance = await instantiate(exported, options.context, spec)
  const missing = missingMethods(instance, options.family.requiredMethods)
  if (missing.length > 0) {
    throw new StewardError('DRIVER_MISSING_METHOD', `Driver "${spec}" does not implement ${missing.join(', ')}, required of every ${options.family.name}.`, {
      data: {driver: spec, family: options.family.name, missing},
      suggestions: [`Implement ${missing.map((method) => `${method}()`).join(', ')} in the driver.`],
    })
  }
  return instance as T
}

function isModulePath(spec: string): boolean {
  return spec.includes('/') || spec.includes('#') || spec.startsWith('.')
}

async function resolveExport(spec: string, options: LoadObjectOptions): Promise<unknown> {
  if (!isModulePath(spec)) {
    const found = await options.lookup(spec)
    if (found === undefined) {
      throw new StewardError('DRIVER_NOT_FOUND', `No plugin provides a driver named "${spec}".`, {
        data: {driver: spec},
        suggestions: ['Run `steward drivers` to see the drivers available, or give a module path.'],
      })
    }
    return found
  }
  const [modulePath = spec, exportName = 'default'] = spec.split('#')
  const specifier = modulePath.startsWith('.') || path.isAbsolute(modulePath) ? pathToFileURL(path.resolve(options.cwd ?? process.cwd(), modulePath)).href : modulePath
  let namespace: Record<string, unknown>
  try {
    namespace = (await import(specifier)) as Record<string, unknown>
  } catch (error) {
    throw new StewardError('DRIVER_NOT_FOUND', `Cannot load driver module "${modulePath}": ${describeError(error)}`, {data: {driver: spec}, cause: error})
  }
  if (!(exportName in namespace)) {
    throw new StewardError('DRIVER_NOT_FOUND', `Driver module "${modulePath}" has no export "${exportName}".`, {
      data: {driver: spec, exports: Object.keys(namespace)},
    })
  }
  return namespace[exportName]
}

async function instantiate(exported: unknown, context: DriverContext, spec: string): Promise<object> {
  if (typeof exported === 'function') {
    const made: unknown = isClass(exported as (...args: never[]) => unknown) ? new (exported as new (context: DriverContext) => object)(context) : await (exported as (context: DriverContext) => unknown)(context)
    if (typeof made === 'object' && made !== null) return made
    throw new StewardError('DRIVER_MISSING_METHOD', `Driver factory "${spec}" returned ${String(made)}, not a driver object.`, {data: {driver: spec}})
  }
  if (typeof exported === 'object' && exported !== null) return exported
  throw new StewardError('DRIVER_NOT_FOUND', `Driver "${spec}" is ${String(exported)}, not a class, factory or object.`, {data: {driver: spec}})
}

function isClass(candidate: (...args: never[]) => unknown): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(candidate))
}
