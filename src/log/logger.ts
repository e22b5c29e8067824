import type {LogLevel} from '../config/options.js'

export type LogFields = Record<string, unknown>

/** What steward and plugins log through. Fields are structured; the sink decides the format. */
export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  /** A logger whose lines carry these fields too (for example the service). */
  child(fields: LogFields): Logger
}

export interface LogRecord {
  time: Date
  level: LogLevel
  message: string
  fields: LogFields
}

const rank: Record<LogLevel, number> = {debug: 10, info: 20, warn: 30, error: 40}

export interface LoggerOptions {
  /** Read at every line, so a getter makes it changeable (a host's log_level on SIGHUP). */
  level: LogLevel
  /** Read at every line, as `level` is. */
  format: 'text' | 'json'
  /** Where lines go; defaults to stdout. */
  write?: (line: string) => void
  /**
   * Also hand every record to these listeners (the telemetry feed, tests). The array is read at
   * every line, so listeners pushed onto it later are called too.
   */
  listeners?: Array<(record: LogRecord) => void>
}

/**
 * steward's logger: levels, bound fields, text or JSON lines. Small on purpose: hosts also feed
 * log records to monitors, and a plain function sink keeps that cheap.
 */
export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line))
  const emit = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    if (rank[level] < rank[options.level]) return
    const record: LogRecord = {time: new Date(), level, message, fields: {...bound, ...fields}}
    write(options.format === 'json' ? formatJson(record) : formatText(record))
    for (const listener of options.listeners ?? []) listener(record)
  }
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger(options, {...bound, ...fields}),
  }
}

/** A logger that drops everything, for code run without a host. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
}

function formatJson(record: LogRecord): string {
  return `${JSON.stringify({time: record.time.toISOString(), level: record.level, msg: record.message, ...serializable(record.fields)})}\n`
}

/** A record as a text line: time, level, [service], message, fields (with its newline). */
export function formatText(record: LogRecord): string {
  const {service, ...rest} = record.fields
  const who = service === undefined ? '' : ` [${String(service)}]`
  const extra = Object.entries(serializable(rest))
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`)
    .join(' ')
  return `${record.time.toISOString()} ${record.level.toUpperCase().padEnd(5)}${who} ${record.message}${extra === '' ? '' : ` ${extra}`}\n`
}

/** Errors do not survive JSON.stringify; keep their message and code. */
function serializable(fields: LogFields): LogFields {
  const out: LogFields = {}
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? {message: value.message, ...('code' in value ? {code: value.code} : {})} : value
  }
  return out
}
