import {findJsonErrorPosition, type JsonErrorPosition} from './json-error-position.js'
import type {StateData} from './types.js'

/** The document format this steward reads and writes. */
export const STATE_FORMAT_VERSION = 1

export function emptyState(): StateData {
  return {version: STATE_FORMAT_VERSION, nextServiceId: 1, services: [], hosts: [], plugins: {}}
}

/** The text of a state file: indented, so a person can read and, in an emergency, repair it. */
export function serializeState(data: StateData): string {
  return `${JSON.stringify(data, null, 2)}\n`
}

export type ParsedState =
  | {ok: true; data: StateData}
  | {ok: false; problem: string; position?: JsonErrorPosition}

/**
 * Parse and minimally validate a state document: enough that the store's own code can rely on the
 * collections being there, not a schema of every field (records are written only by this code).
 */
export function parseState(text: string): ParsedState {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    if (text.trim() === '') return {ok: false, problem: 'the file is empty'}
    const position = findJsonErrorPosition(text)
    // V8's message sometimes ends with its own "in JSON at position N"; the line and column say it better.
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
    const reason = message.replace(/ in JSON at position \d+.*$/, '')
    return position === undefined
      ? {ok: false, problem: `not valid JSON (${reason})`}
      : {
          ok: false,
          problem: `not valid JSON at line ${position.line} column ${position.column} (offset ${position.offset}): ${reason}`,
          position,
        }
  }
  const problem = shapeProblem(value)
  return problem === undefined ? {ok: true, data: value as StateData} : {ok: false, problem}
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function shapeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the document is not a JSON object'
  const {version} = value
  if (version !== STATE_FORMAT_VERSION) {
    return typeof version === 'number' && version > STATE_FORMAT_VERSION
      ? `it has format version ${version}, newer than this steward understands (${STATE_FORMAT_VERSION}); upgrade steward`
      : `"version" is ${JSON.stringify(version) ?? 'missing'}, expected ${STATE_FORMAT_VERSION}`
  }
  if (!Number.isSafeInteger(value.nextServiceId) || (value.nextServiceId as number) < 1) {
    return '"nextServiceId" is not a positive integer'
  }
  if (!Array.isArray(value.services)) return '"services" is not an array'
  const badService = value.services.findIndex(
    (record: unknown) =>
      !isObject(record) ||
      !Number.isSafeInteger(record.id) ||
      typeof record.host !== 'string' ||
      typeof record.binary !== 'string',
  )
  if (badService !== -1) return `services[${badService}] lacks a numeric "id" or a string "host" or "binary"`
  if (!Array.isArray(value.hosts)) return '"hosts" is not an array'
  if (!isObject(value.plugins)) return '"plugins" is not an object'
  for (const [plugin, collections] of Object.entries(value.plugins)) {
    if (!isObject(collections)) return `plugins.${plugin} is not an object`
    for (const [name, items] of Object.entries(collections)) {
      if (!Array.isArray(items)) return `plugins.${plugin}.${name} is not an array`
    }
  }
  return undefined
}
