import satisfies from 'semver/functions/satisfies.js'
import validRange from 'semver/ranges/valid.js'
import {stewardVersion} from './package-root.js'

/**
 * Why a plugin's `steward` range refuses the running steward: `invalid` when it is not a semver
 * range, `incompatible` when it excludes this version; undefined when it admits it. Prereleases
 * count, so 0.2.0-rc.1 meets ^0.2.0-0.
 */
export function stewardRangeProblem(range: unknown): 'invalid' | 'incompatible' | undefined {
  if (typeof range !== 'string' || range.trim() === '' || validRange(range) === null) return 'invalid'
  return satisfies(stewardVersion, range, {includePrerelease: true}) ? undefined : 'incompatible'
}
