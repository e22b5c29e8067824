import {closestWord} from '../config/closest-word.js'
import {StewardError} from '../errors/index.js'

/**
 * How one periodic task runs. A manager declares its tasks in a static `periodicTasks` object
 * keyed by method name.
 *
 * @example
 * class SysinfoManager extends Manager {
 *   static override periodicTasks = {
 *     sample: {spacing: 10, runImmediately: true},
 *     compact: {spacing: 3600, enabled: false},
 *   } satisfies PeriodicTaskDeclarations
 *   async sample(ctx: RequestContext, run: PeriodicTaskRun): Promise<void> { … }
 * }
 */
export interface PeriodicTaskOptions {
  /**
   * Seconds from one start of the task to the next (plus up to 5 % jitter when 20 s or more).
   * 0 or missing means 60.
   * @default 60
   */
  spacing?: number
  /**
   * Run at the first tick of the periodic loop instead of one spacing after the manager starts.
   * @default false
   */
  runImmediately?: boolean
  /**
   * The name in logs and in status.
   * @default the method name
   */
  name?: string
  /**
   * A disabled task is never run (it is logged once at debug level).
   * @default true
   */
  enabled?: boolean
}

/** Periodic tasks by method name. */
export type PeriodicTaskDeclarations = Record<string, PeriodicTaskOptions>

/** A checked declaration with its defaults applied. */
export interface PeriodicTask {
  method: string
  name: string
  spacingMs: number
  runImmediately: boolean
  enabled: boolean
}

/** oslo's DEFAULT_INTERVAL: what a spacing of 0 (or none) means. */
export const DEFAULT_SPACING_SECONDS = 60

const OPTION_KEYS: ReadonlyArray<keyof PeriodicTaskOptions> = ['spacing', 'runImmediately', 'name', 'enabled']

/**
 * Check a target's declarations and apply the defaults. Plugins may be plain JavaScript, so every
 * field is checked at run time; a typo in an option name fails rather than being ignored.
 *
 * @throws StewardError PERIODIC_TASK_INVALID naming the task and the class.
 */
export function readPeriodicTasks(target: object, declarations: PeriodicTaskDeclarations, ownerName: string): PeriodicTask[] {
  if (typeof declarations !== 'object' || declarations === null || Array.isArray(declarations)) {
    throw invalid(`the periodic tasks of ${ownerName} must be an object of method name → options`, ownerName)
  }
  const tasks: PeriodicTask[] = []
  const names = new Set<string>()
  for (const [method, options] of Object.entries(declarations)) {
    const where = `periodic task ${method} of ${ownerName}`
    if (typeof (target as Record<string, unknown>)[method] !== 'function') {
      throw invalid(`${where} names no method: ${ownerName} has no method ${method}`, ownerName, method)
    }
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw invalid(`${where} must be declared with an options object, such as {spacing: 60}`, ownerName, method)
    }
    for (const key of Object.keys(options)) {
      if ((OPTION_KEYS as readonly string[]).includes(key)) continue
      const near = closestWord(key, OPTION_KEYS)
      throw invalid(`${where} has an unknown option ${key}`, ownerName, method, [
        near === undefined ? `Known options: ${OPTION_KEYS.join(', ')}.` : `Did you mean ${near}?`,
      ])
    }
    const {spacing = 0, runImmediately = false, name = method, enabled = true} = options
    if (typeof spacing !== 'number' || !Number.isFinite(spacing) || spacing < 0) {
      throw invalid(`${where} has an invalid spacing ${String(spacing)}: it must be a finite number of seconds ≥ 0`, ownerName, method)
    }
    for (const [key, value] of [['runImmediately', runImmediately], ['enabled', enabled]] as const) {
      if (typeof value !== 'boolean') throw invalid(`${where} has a non-boolean ${key}`, ownerName, method)
    }
    if (typeof name !== 'string' || name === '') throw invalid(`${where} has an empty or non-string name`, ownerName, method)
    if (names.has(name)) throw invalid(`${where} reuses the name ${name} of another task`, ownerName, method)
    names.add(name)
    tasks.push({method, name, spacingMs: (spacing === 0 ? DEFAULT_SPACING_SECONDS : spacing) * 1000, runImmediately, enabled})
  }
  return tasks
}

function invalid(message: string, ownerName: string, task?: string, suggestions: string[] = []): StewardError {
  return new StewardError('PERIODIC_TASK_INVALID', message, {data: {class: ownerName, ...(task === undefined ? {} : {task})}, suggestions})
}
