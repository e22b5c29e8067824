import type {OptionType} from './options.js'

/** The result of checking one value against an option type. */
export type Checked = {ok: true; value: unknown} | {ok: false; expected: string}

export function expectedText(type: OptionType): string {
  switch (type.kind) {
    case 'number': {
      const kind = `a${type.integer ? 'n integer' : ' number'}`
      return type.max === undefined ? `${kind} ≥ ${type.min}` : `${kind} from ${type.min} to ${type.max}`
    }
    case 'boolean': {
      return 'true or false'
    }
    case 'string': {
      return type.optional ? 'a string' : 'a non-empty string'
    }
    case 'path': {
      return type.optional ? 'a file path, or "" for none' : 'a directory path'
    }
    case 'enum': {
      return `one of ${type.values.map((value) => JSON.stringify(value)).join(', ')}`
    }
    case 'list': {
      return 'a list of non-empty strings'
    }
  }
}

/** Check a value that came typed (from JSON or a parsed flag). */
export function checkValue(type: OptionType, value: unknown): Checked {
  const fail = {ok: false, expected: expectedText(type)} as const
  switch (type.kind) {
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < type.min || (type.max !== undefined && value > type.max)) return fail
      if (type.integer && !Number.isInteger(value)) return fail
      return {ok: true, value}
    }
    case 'boolean': {
      return typeof value === 'boolean' ? {ok: true, value} : fail
    }
    case 'string':
    case 'path': {
      if (typeof value !== 'string') return fail
      return value.trim() !== '' || (type.optional === true && value === '') ? {ok: true, value} : fail
    }
    case 'enum': {
      return typeof value === 'string' && type.values.includes(value) ? {ok: true, value} : fail
    }
    case 'list': {
      const ok = Array.isArray(value) && value.every((item) => typeof item === 'string' && item.trim() !== '')
      return ok ? {ok: true, value: [...(value as string[])]} : fail
    }
  }
}

const truthy = new Set(['true', '1', 'yes', 'on'])
const falsy = new Set(['false', '0', 'no', 'off'])

/** Turn the text of an environment variable into a typed value, then check it. */
export function checkText(type: OptionType, text: string): Checked {
  const trimmed = text.trim()
  switch (type.kind) {
    case 'number': {
      return checkValue(type, trimmed === '' ? Number.NaN : Number(trimmed))
    }
    case 'boolean': {
      const lower = trimmed.toLowerCase()
      if (truthy.has(lower)) return {ok: true, value: true}
      if (falsy.has(lower)) return {ok: true, value: false}
      return {ok: false, expected: expectedText(type)}
    }
    case 'list': {
      if (trimmed.startsWith('[')) {
        try {
          return checkValue(type, JSON.parse(trimmed))
        } catch {
          return {ok: false, expected: `${expectedText(type)} (a JSON array or comma-separated)`}
        }
      }
      return checkValue(type, trimmed.split(',').map((item) => item.trim()).filter((item) => item !== ''))
    }
    default: {
      return checkValue(type, trimmed)
    }
  }
}

/** How a found value is shown in an error: its JSON text and its type. */
export function describeFound(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return `${truncate(JSON.stringify(value))} (array)`
  if (typeof value === 'object') return `${truncate(JSON.stringify(value))} (object)`
  return `${JSON.stringify(value)} (${typeof value})`
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}
