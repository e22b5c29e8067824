import {formatText} from '../log/logger.js'
import type {MonitorModel, TelemetryLogLine} from '../monitor/telemetry.js'
import {textTable} from './text-table.js'

/** `steward monitor --once` as text: the hosts, then the services with their telemetry. */
export function monitorText(model: MonitorModel): string {
  const hosts = textTable(
    ['Host', 'State', 'Pid', 'Uptime', 'RSS', 'Heap', 'CPU', 'Endpoint'],
    model.hosts.map(({record, state, telemetry}) => [
      record.name,
      state,
      String(telemetry?.pid ?? record.pid),
      telemetry === null ? '-' : duration(telemetry.uptimeSeconds),
      telemetry === null ? '-' : mebibytes(telemetry.rssBytes),
      telemetry === null ? '-' : mebibytes(telemetry.heapUsedBytes),
      telemetry === null ? '-' : `${telemetry.cpuPercent.toFixed(1)}%`,
      record.endpoint,
    ]),
  )
  const services = textTable(
    ['Id', 'Binary', 'Host', 'Status', 'State', 'Heartbeat', 'Generation', 'Reloads', 'In-flight', 'Calls', 'Calls/s', 'p99', 'Errors'],
    model.services.map((service) => {
      const {telemetry} = service
      const generation = telemetry?.generation ?? null
      const rpc = telemetry?.rpc
      const errors = rpc === undefined ? 0 : Object.values(rpc.errors).reduce((sum, count) => sum + count, 0)
      return [
        String(service.id),
        service.binary,
        service.host,
        service.status,
        service.state,
        service.heartbeatAgeSeconds === null ? '-' : `${Math.max(0, Math.round(service.heartbeatAgeSeconds))}s ago`,
        generation === null ? '-' : `${generation.generation} ${generation.state}`,
        generation === null ? '-' : String(generation.reloads),
        rpc === undefined ? '-' : String(rpc.inFlight),
        rpc === undefined ? '-' : String(rpc.calls + rpc.casts),
        rpc === undefined ? '-' : rpc.perSecond.toFixed(1),
        rpc === undefined || rpc.p99Ms === null ? '-' : `${rpc.p99Ms.toFixed(rpc.p99Ms < 10 ? 2 : 0)} ms`,
        rpc === undefined ? '-' : String(errors),
      ]
    }),
  )
  return `${hosts}\n\n${services}`
}

/** A host's log line as `steward start` prints it, named by its service or else its host. */
export function logLineText(line: TelemetryLogLine): string {
  const fields = line.fields.service === undefined ? {service: line.host, ...line.fields} : line.fields
  return formatText({time: new Date(line.time), level: line.level, message: line.message, fields})
}

function duration(seconds: number): string {
  const s = Math.floor(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
