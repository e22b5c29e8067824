import type {TopicSection} from '../config/load-config.js'
import type {Logger} from '../log/logger.js'

/** What a driver is given when it is built. */
export interface DriverContext {
  /** The configuration section of the topic (or backend) the driver serves. */
  config: TopicSection
  log: Logger
  host: string
  /** The host's state directory (`state_dir`): where a driver keeps data of its own, by default. */
  stateDir: string
}

/**
 * Base of every driver family. A family (for example a `ShareDriver`) extends it and lists in
 * `requiredMethods` what each of its drivers implements; a driver missing one fails to load
 * with DRIVER_MISSING_METHOD.
 *
 * @example
 * export abstract class ClockDriver extends Driver {
 *   static override requiredMethods = ['now']
 *   abstract now(): Promise<number>
 * }
 */
export abstract class Driver {
  static requiredMethods: readonly string[] = []

  /** True once {@link doSetup} has succeeded; managers gate readiness on it. */
  initialized = false
  protected readonly config: TopicSection
  protected readonly log: Logger
  /** The service host it serves (`node1@fast` for a backend). */
  protected readonly host: string
  /** The host's state directory. */
  protected readonly stateDir: string

  constructor(context: DriverContext) {
    this.config = context.config
    this.log = context.log
    this.host = context.host
    this.stateDir = context.stateDir
  }

  /** Prepare the backend (connect, create directories). */
  async doSetup(): Promise<void> {}

  /** Release what the driver holds. */
  async close(): Promise<void> {}
}

/** The methods of `required` that a driver (an instance, or a class's prototype) does not have. */
export function missingMethods(driver: object, required: readonly string[]): string[] {
  return required.filter((method) => typeof (driver as Record<string, unknown>)[method] !== 'function')
}
