import {createContext, type RequestContext} from '../rpc/context.js'
import {Manager} from './manager.js'
import type {PeriodicTaskDeclarations} from './periodic-tasks.js'

/** The topic capability reports go to. */
export const SCHEDULER_TOPIC = 'scheduler'

/**
 * A manager whose service reports capabilities to the schedulers (Manila's
 * SchedulerDependentManager). Store them with {@link updateServiceCapabilities}; a periodic task
 * fans them out to every `scheduler` service when they are truthy.
 */
export abstract class SchedulerDependentManager extends Manager {
  static override periodicTasks: PeriodicTaskDeclarations = {
    publishServiceCapabilities: {spacing: 60},
  }

  static override rpcMethods: readonly string[] = ['publishServiceCapabilities']

  /** The last capabilities given, verbatim (falsy values included). */
  lastCapabilities: unknown = undefined

  updateServiceCapabilities(capabilities: unknown): void {
    this.lastCapabilities = capabilities
  }

  /** The last capabilities given, as monitors show them. */
  override describeCapabilities(): unknown {
    return this.lastCapabilities ?? null
  }

  /** Fan the capabilities out to the schedulers; nothing is sent while they are falsy. */
  async publishServiceCapabilities(ctx: RequestContext = createContext(this.host)): Promise<void> {
    if (!isTruthy(this.lastCapabilities)) return
    this.log.debug('publishing capabilities to the schedulers')
    await this.context.rpc.prepare({topic: SCHEDULER_TOPIC, fanout: true}).cast(ctx, 'updateServiceCapabilities', {
      serviceName: this.serviceName,
      host: this.host,
      capabilities: this.lastCapabilities,
      timestamp: new Date().toISOString(),
    })
  }
}

/** Python truthiness, as Manila tests it: empty objects, arrays and strings are false. */
function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0
  return Boolean(value)
}
