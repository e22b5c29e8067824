/** Which log lines the Logs view shows: a level threshold, and all hosts or the selected service. */
import type {LogLevel} from '../config/options.js'
import type {MonitoredService, TelemetryLogLine} from '../monitor/telemetry.js'
import {hostProcessOf} from '../service/service-state.js'

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

export type LogScope = 'all' | 'selection'

/** The level after `level` in the `l` key's cycle. */
export function nextLogLevel(level: LogLevel): LogLevel {
  return LOG_LEVELS[(LOG_LEVELS.indexOf(level) + 1) % LOG_LEVELS.length] ?? 'debug'
}

/**
 * Lines at `level` or above; with a service, only its own: lines of its host whose `service`
 * field names it (services log with `service: <binary>@<host>`).
 */
export function filterLogs(lines: readonly TelemetryLogLine[], level: LogLevel, service: MonitoredService | undefined): TelemetryLogLine[] {
  const threshold = LOG_LEVELS.indexOf(level)
  const host = service === undefined ? undefined : hostProcessOf(service.host)
  const name = service === undefined ? undefined : `${service.binary}@${service.host}`
  return lines.filter((line) => LOG_LEVELS.indexOf(line.level) >= threshold && (service === undefined || (line.host === host && line.fields.service === name)))
}
