import {AsyncLocalStorage} from 'node:async_hooks'
import {isSampledTraceParent} from './trace-parent.js'
import type {DriverCallRecord} from './tracing.js'

/**
 * The trace parent of the RPC call or periodic run a manager is serving, where the manager runs
 * (a generation's worker, or the host thread): a driver is called with the plugin's own arguments,
 * not with the request context, so its calls find their parent here. Used only while the profiler
 * is on.
 */
const servingTraceParent = new AsyncLocalStorage<string>()

/** Run `fn` with the context's trace parent as the parent of the driver calls it makes. */
export function withTraceParent<T>(traceParent: string | undefined, fn: () => T): T {
  return traceParent === undefined ? fn() : servingTraceParent.run(traceParent, fn)
}

/**
 * The driver, with the methods its family requires timed: each call under a sampled trace parent
 * is told to `record` once it settles. Calls outside any (the manager's initHost) are not traced.
 */
export function traceDriver<T extends object>(driver: T, name: string, methods: readonly string[], record: (call: DriverCallRecord) => void): T {
  const traced = new Set(methods)
  const wrappers = new Map<string, unknown>()
  return new Proxy(driver, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof property !== 'string' || !traced.has(property) || typeof value !== 'function') return value
      let wrapper = wrappers.get(property)
      if (wrapper === undefined) {
        const method = value as (...args: unknown[]) => unknown
        wrapper = function (this: unknown, ...args: unknown[]): unknown {
          const traceParent = servingTraceParent.getStore()
          if (traceParent === undefined || !isSampledTraceParent(traceParent)) return method.apply(this === receiver ? target : this, args)
          return timed(() => method.apply(this === receiver ? target : this, args), {traceParent, driver: name, method: property}, record)
        }
        wrappers.set(property, wrapper)
      }
      return wrapper
    },
  })
}

function timed(run: () => unknown, call: Pick<DriverCallRecord, 'traceParent' | 'driver' | 'method'>, record: (call: DriverCallRecord) => void): unknown {
  const started = performance.now()
  const done = (error?: unknown): void => {
    const durationMs = performance.now() - started
    const startMs = performance.timeOrigin + started
    record(error === undefined ? {...call, startMs, durationMs} : {...call, startMs, durationMs, error: describe(error)})
  }
  let result: unknown
  try {
    result = run()
  } catch (error) {
    done(error)
    throw error
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        done()
        return value
      },
      (error: unknown) => {
        done(error)
        throw error
      },
    )
  }
  done()
  return result
}

function describe(error: unknown): {code: string; message: string} {
  const code = (error as {code?: unknown}).code
  return {code: typeof code === 'string' ? code : ((error as Error).name ?? 'Error'), message: (error as Error).message ?? String(error)}
}
