import fs from 'node:fs'
import path from 'node:path'
import {StewardError} from '../errors/index.js'
import {checkText, checkValue, describeFound, type Checked} from './check-value.js'
import {closestWord} from './closest-word.js'
import {coreOptionKeys, coreOptions, envName, type topicSectionKeys, type CoreOptions, type OptionType} from './options.js'

/** Options every topic section understands; any other key belongs to the plugin. */
export interface TopicSection {
  manager?: string
  driver?: string
  coordination?: boolean
  [key: string]: unknown
}

export type ValueSource =
  | {kind: 'default'}
  | {kind: 'file'; file: string}
  | {kind: 'env'; variable: string}
  | {kind: 'flag'; flag: string}

export interface StewardConfig {
  options: CoreOptions
  /** topic → its section. */
  topics: Record<string, TopicSection>
  /** Where each value came from, by key path (`report_interval`, `share.driver`). */
  sources: Record<string, ValueSource>
  /** The configuration file read, if any. */
  file: string | undefined
}

/** Values given as command-line flags, already typed by the flag parser. */
export type ConfigFlags = Partial<{[K in keyof CoreOptions]: CoreOptions[K]}> & {config?: string}

export interface LoadConfigInput {
  flags?: ConfigFlags
  env?: NodeJS.ProcessEnv
  cwd?: string
}

const DEFAULT_FILE = 'steward.json'
const TOPIC_ENV = /^STEWARD_([A-Z0-9_]+?)__([A-Z0-9_]+)$/
const topicKeyTypes: Record<keyof typeof topicSectionKeys, OptionType> = {
  manager: {kind: 'string'},
  driver: {kind: 'string'},
  coordination: {kind: 'boolean'},
}

/**
 * The effective configuration: defaults < config file < STEWARD_* environment < flags.
 * Throws a StewardError naming the file or variable, the key path, what was expected and what
 * was found.
 */
export function loadConfig({flags = {}, env = process.env, cwd = process.cwd()}: LoadConfigInput = {}): StewardConfig {
  const options: Record<string, unknown> = {}
  const sources: Record<string, ValueSource> = {}
  for (const key of coreOptionKeys) {
    const spec = coreOptions[key]
    options[key] = typeof spec.default === 'function' ? spec.default() : structuredClone(spec.default)
    sources[key] = {kind: 'default'}
  }

  const topics: Record<string, TopicSection> = {}
  const file = configFile(flags.config, env, cwd)
  if (file !== undefined) applyFile(file, options, topics, sources)
  applyEnv(env, cwd, options, topics, sources)
  applyFlags(flags, cwd, options, sources)
  return {options: options as unknown as CoreOptions, topics, sources, file}
}

function configFile(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const named = flag ?? (env.STEWARD_CONFIG || undefined)
  if (named === undefined) {
    const candidate = path.join(cwd, DEFAULT_FILE)
    return fs.existsSync(candidate) ? candidate : undefined
  }
  const file = path.resolve(cwd, named)
  if (!fs.existsSync(file)) {
    const origin = flag === undefined ? 'STEWARD_CONFIG' : '--config'
    throw new StewardError('CONFIG_FILE_NOT_FOUND', `Configuration file ${file} (from ${origin}) does not exist.`, {
      data: {file},
      suggestions: [`Create it, or point ${origin} at an existing file.`],
    })
  }
  return file
}

function applyFile(file: string, options: Record<string, unknown>, topics: Record<string, TopicSection>, sources: Record<string, ValueSource>): void {
  const document = readJson(file)
  const where = `configuration file ${file}`
  const source: ValueSource = {kind: 'file', file}
  for (const [key, value] of Object.entries(document)) {
    if (isCoreKey(key)) {
      const type = coreOptions[key].type
      options[key] = resolvePath(type, take(checkValue(type, value), where, key, value), path.dirname(file))
      sources[key] = source
    } else if (isPlainObject(value)) {
      topics[key] = readTopicSection(key, value, where)
      for (const sectionKey of Object.keys(value)) sources[`${key}.${sectionKey}`] = source
    } else {
      const suggestion = closestWord(key, coreOptionKeys)
      throw new StewardError('CONFIG_UNKNOWN_OPTION', `Invalid ${where}: unknown option "${key}".`, {
        data: {file, key},
        suggestions: [
          suggestion === undefined ? 'See docs/configuration.md for the options.' : `Did you mean "${suggestion}"?`,
          'A topic section must be an object, such as {"driver": "memory"}.',
        ],
      })
    }
  }
}

function readJson(file: string): Record<string, unknown> {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new StewardError('CONFIG_FILE_UNREADABLE', `Cannot read configuration file ${file}: ${(error as Error).message}`, {data: {file}, cause: error})
  }
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (error) {
    throw new StewardError('CONFIG_FILE_UNREADABLE', `Configuration file ${file} is not valid JSON: ${(error as Error).message}`, {
      data: {file},
      cause: error,
      suggestions: ['Fix the JSON syntax at the position shown (comments and trailing commas are not allowed).'],
    })
  }
  if (!isPlainObject(document)) {
    throw new StewardError('CONFIG_INVALID', `Invalid configuration file ${file}: the top level must be an object, found ${describeFound(document)}.`, {data: {file}})
  }
  return document
}

function readTopicSection(topic: string, section: Record<string, unknown>, where: string): TopicSection {
  for (const [key, type] of Object.entries(topicKeyTypes)) {
    if (key in section) take(checkValue(type, section[key]), where, `${topic}.${key}`, section[key])
  }
  return {...section}
}

function applyEnv(env: NodeJS.ProcessEnv, cwd: string, options: Record<string, unknown>, topics: Record<string, TopicSection>, sources: Record<string, ValueSource>): void {
  for (const key of coreOptionKeys) {
    const variable = envName(key)
    const text = env[variable]
    if (text === undefined || text === '') continue
    const type = coreOptions[key].type
    options[key] = resolvePath(type, take(checkText(type, text), `environment variable ${variable}`, key, text), cwd)
    sources[key] = {kind: 'env', variable}
  }
  for (const [variable, text] of Object.entries(env)) {
    const match = TOPIC_ENV.exec(variable)
    if (match === null || text === undefined) continue
    const topic = match[1]!.toLowerCase()
    const key = match[2]!.toLowerCase()
    const type = topicKeyTypes[key as keyof typeof topicKeyTypes]
    const value = type === undefined ? parseLoose(text) : take(checkText(type, text), `environment variable ${variable}`, `${topic}.${key}`, text)
    topics[topic] = {...topics[topic], [key]: value}
    sources[`${topic}.${key}`] = {kind: 'env', variable}
  }
}

function applyFlags(flags: ConfigFlags, cwd: string, options: Record<string, unknown>, sources: Record<string, ValueSource>): void {
  for (const key of coreOptionKeys) {
    const value = flags[key]
    if (value === undefined) continue
    const spec = coreOptions[key]
    const flag = spec.flag ?? `--${key.replaceAll('_', '-')}`
    options[key] = resolvePath(spec.type, take(checkValue(spec.type, value), `flag ${flag}`, key, value), cwd)
    sources[key] = {kind: 'flag', flag}
  }
}

function take(checked: Checked, where: string, key: string, found: unknown): unknown {
  if (checked.ok) return checked.value
  throw new StewardError('CONFIG_INVALID', `Invalid ${where}: ${key} must be ${checked.expected}, found ${describeFound(found)}.`, {
    data: {where, key, expected: checked.expected, found},
    suggestions: [`Set ${key} to ${checked.expected} (docs/configuration.md lists every option).`],
  })
}

function resolvePath(type: OptionType, value: unknown, base: string): unknown {
  return type.kind === 'path' && value !== '' ? path.resolve(base, value as string) : value
}

/** Topic options of plugins come as text from the environment: JSON when it parses, else the text. */
function parseLoose(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function isCoreKey(key: string): key is keyof CoreOptions {
  return Object.hasOwn(coreOptions, key)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Describe where a value came from, for `steward config show --sources`. */
export function describeSource(source: ValueSource | undefined): string {
  switch (source?.kind) {
    case 'file': {
      return `file ${source.file}`
    }
    case 'env': {
      return `env ${source.variable}`
    }
    case 'flag': {
      return `flag ${source.flag}`
    }
    default: {
      return 'default'
    }
  }
}
