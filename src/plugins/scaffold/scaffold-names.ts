import {StewardError} from '../../errors/index.js'
import {stewardVersion} from '../package-root.js'

/** The names a plugin skeleton is written with, all derived from the one given. */
export interface ScaffoldNames {
  /** The plugin's folder, its manager and its topic: `disk-usage`. */
  name: string
  /** For class names: `DiskUsage`. */
  pascal: string
  /** package.json and definePlugin name: `steward-plugin-disk-usage`. */
  packageName: string
  /** The skeleton's one driver: `disk-usage-counter` (driver names are global, so prefixed). */
  driver: string
  /** The steward versions the plugin works with: this one's minor. */
  stewardRange: string
}

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/

export function scaffoldNames(name: string): ScaffoldNames {
  if (!NAME.test(name) || name.length > 50) {
    throw new StewardError('SCAFFOLD_NAME_INVALID', `"${name}" cannot name a plugin: use lowercase letters, digits and single dashes, starting with a letter (at most 50 characters).`, {
      data: {name},
      suggestions: ['For example: steward plugins new disk-usage'],
    })
  }
  return {
    name,
    pascal: name.split('-').map((part) => part[0]!.toUpperCase() + part.slice(1)).join(''),
    packageName: `steward-plugin-${name}`,
    driver: `${name}-counter`,
    stewardRange: `^${stewardVersion}`,
  }
}
