import {StewardError} from '../errors/index.js'

/** The ARGS_JSON argument of call and cast: a JSON object, {} when absent. */
export function parseArgsJson(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new StewardError('INVALID_TARGET', `The arguments are not JSON: ${(error as Error).message}`, {suggestions: ['Quote them for the shell: \'{"size": 10}\''], cause: error})
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StewardError('INVALID_TARGET', 'The arguments must be a JSON object of named arguments, such as {"size": 10}.')
  }
  return parsed as Record<string, unknown>
}
