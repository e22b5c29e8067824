import {Box, Text} from 'ink'
import type {ReactNode} from 'react'
import type {PeriodicTaskStatus} from '../../manager/periodic-tasks.js'
import type {MonitoredService, ServiceTelemetry} from '../../monitor/telemetry.js'
import {fit, formatAge, formatClock, formatMs, formatRate} from '../format.js'
import {serviceStateLabel} from '../service-table.js'
import {fitColumns, TONE_COLOURS, type Column} from '../table-columns.js'

export interface Props {
  service: MonitoredService | undefined
  width: number
  height: number
}

/** Everything known of one service: record, plugin code, generation, last reload, RPC, periodic tasks. */
export function ServiceDetail({service, width, height}: Props) {
  if (service === undefined) {
    return (
      <Box width={width} height={height}>
        <Text dimColor>No service selected: choose one in the Services view (1).</Text>
      </Box>
    )
  }
  const lines = detailLines(service, width)
  const shown = lines.length > height ? [...lines.slice(0, Math.max(0, height - 1)), <Text dimColor>… {lines.length - height + 1} more lines (a taller terminal shows them)</Text>] : lines
  return (
    <Box flexDirection="column" width={width} height={height}>
      {shown.map((line, index) => (
        <Box key={index} width={width} height={1}>
          {line}
        </Box>
      ))}
    </Box>
  )
}

function detailLines(service: MonitoredService, width: number): ReactNode[] {
  const label = serviceStateLabel(service)
  const telemetry = service.telemetry
  const lines: ReactNode[] = [
    <Text wrap="truncate" bold>
      {service.binary} on {service.host}{'  '}
      <Text color={TONE_COLOURS[label.tone]}>
        {label.symbol} {label.text}
      </Text>
      {' · '}
      <Text {...(service.status === 'disabled' ? {color: TONE_COLOURS.warn} : {})}>{service.status}</Text>
    </Text>,
    <Text wrap="truncate">
      topic {service.topic} · zone {service.zone} · id {service.id} · heartbeat {service.heartbeatAgeSeconds === null ? 'never' : `${formatAge(service.heartbeatAgeSeconds)} ago`} · {service.reportCount} reports
    </Text>,
  ]
  if (service.status === 'disabled') lines.push(<Text wrap="truncate" color={TONE_COLOURS.warn}>Disabled: {service.disabledReason ?? '(no reason given)'}</Text>)
  if (telemetry === null) {
    lines.push(<Text dimColor wrap="truncate">No telemetry from its host (stopped, unreachable, or an older steward).</Text>)
    return lines
  }
  lines.push(...codeLines(telemetry), ...generationLines(telemetry), ...rpcLines(telemetry), ...traceLines(telemetry), ...capabilityLines(telemetry), ...taskLines(telemetry.periodicTasks, width))
  return lines
}

function field(name: string, value: ReactNode): ReactNode {
  return (
    <Text wrap="truncate">
      <Text bold>{name.padEnd(13)}</Text>
      {value}
    </Text>
  )
}

function pluginText(plugin: {name: string; version: string} | null): string {
  return plugin === null ? 'plugin not loaded' : `plugin ${plugin.name} ${plugin.version}`
}

function codeLines(telemetry: ServiceTelemetry): ReactNode[] {
  // Hosts of an older steward send no drivers.
  const drivers = telemetry.drivers ?? []
  return [
    field('Manager', `${telemetry.manager} · ${pluginText(telemetry.plugin)}`),
    ...(drivers.length === 0
      ? [field('Driver', <Text dimColor>none loaded</Text>)]
      : drivers.map((driver, index) => field(index === 0 ? 'Driver' : '', `${driver.name} (${driver.family}) · ${driver.plugin === null ? 'module path' : pluginText(driver.plugin)}`))),
  ]
}

/** Capabilities as `key value` lines, one per top-level key. */
function capabilityLines(telemetry: ServiceTelemetry): ReactNode[] {
  const capabilities = telemetry.capabilities ?? null
  if (capabilities === null) return [field('Capabilities', <Text dimColor>none reported</Text>)]
  if (typeof capabilities !== 'object' || Array.isArray(capabilities)) return [field('Capabilities', JSON.stringify(capabilities))]
  const entries = Object.entries(capabilities)
  if (entries.length === 0) return [field('Capabilities', <Text dimColor>none reported</Text>)]
  return entries.map(([key, value], index) => field(index === 0 ? 'Capabilities' : '', `${key} ${typeof value === 'string' ? value : JSON.stringify(value)}`))
}

function generationLines(telemetry: ServiceTelemetry): ReactNode[] {
  const generation = telemetry.generation
  if (generation === null) return [field('Generation', <Text dimColor>none (inline, or not loaded yet) · {telemetry.lifecycle}</Text>)]
  const tone = generation.state === 'errored' ? TONE_COLOURS.bad : generation.state === 'serving' ? undefined : TONE_COLOURS.warn
  const reload = generation.lastReload
  const lines = [
    field(
      'Generation',
      <Text>
        {generation.generation} <Text {...(tone === undefined ? {} : {color: tone})}>({generation.state})</Text> · {generation.reloads} reloads · {generation.inFlight} in flight · {generation.retiring} retiring · {telemetry.lifecycle}
      </Text>,
    ),
    field(
      'Last reload',
      reload === undefined ? (
        <Text dimColor>none</Text>
      ) : (
        <Text>
          {reload.ok ? <Text color={TONE_COLOURS.good}>✔ ok</Text> : <Text color={TONE_COLOURS.bad}>✖ failed{reload.code === undefined ? '' : ` ${reload.code}`}</Text>} · {reload.trigger} · {formatClock(reload.at)} · generation {reload.generation} · {formatMs(reload.durationMs)}
        </Text>
      ),
    ),
  ]
  if (reload !== undefined && !reload.ok) lines.push(field('Reload error', <Text color={TONE_COLOURS.bad}>{reload.error ?? 'unknown'}</Text>))
  return lines
}

function rpcLines(telemetry: ServiceTelemetry): ReactNode[] {
  const rpc = telemetry.rpc
  const errors = Object.entries(rpc.errors)
  return [
    field('RPC', `version ${telemetry.rpcApiVersion ?? '-'} · ${rpc.calls} calls · ${rpc.casts} casts · ${formatRate(rpc.perSecond)}/s · p99 ${formatMs(rpc.p99Ms)} · ${rpc.inFlight} in flight`),
    field('RPC errors', errors.length === 0 ? 'none' : <Text color={TONE_COLOURS.bad}>{errors.map(([code, count]) => `${code} ${count}`).join(', ')}</Text>),
  ]
}

/** The slowest recent calls the host traced (profiler_enabled), each with its trace id for `steward trace show`. */
function traceLines(telemetry: ServiceTelemetry): ReactNode[] {
  const traces = telemetry.slowTraces
  if (traces === undefined) return []
  if (traces.length === 0) return [field('Slow traces', <Text dimColor>none in the last 10 minutes</Text>)]
  return traces.map((trace, index) =>
    field(
      index === 0 ? 'Slow traces' : '',
      <Text>
        {formatMs(trace.durationMs).padStart(8)} {trace.name} · {formatClock(trace.at)}
        {trace.error ? <Text color={TONE_COLOURS.bad}> · error</Text> : ''} · <Text dimColor>steward trace show {trace.traceId}</Text>
      </Text>,
    ),
  )
}

function nextDue(task: PeriodicTaskStatus): string {
  if (task.nextDueInMs === null) return 'disabled'
  if (task.running) return 'running'
  return task.nextDueInMs <= 0 ? 'due' : `in ${formatAge(task.nextDueInMs / 1000)}`
}

const TASK_COLUMNS: readonly Column<PeriodicTaskStatus>[] = [
  {id: 'name', title: 'TASK', width: 22, minWidth: 10, priority: 0, value: (task) => task.name},
  {id: 'spacing', title: 'SPACING', width: 7, priority: 1, align: 'right', value: (task) => formatAge(task.spacing)},
  {id: 'last', title: 'LAST RUN', width: 8, priority: 2, value: (task) => formatClock(task.lastStartedAt)},
  {id: 'duration', title: 'TOOK', width: 7, priority: 3, align: 'right', value: (task) => formatMs(task.lastDurationMs)},
  {id: 'next', title: 'NEXT', width: 8, priority: 1, value: nextDue},
  {id: 'runs', title: 'RUNS/FAIL', width: 9, minWidth: 6, priority: 4, align: 'right', value: (task) => `${task.runs}/${task.failures}`},
  {id: 'error', title: 'LAST ERROR', width: 60, minWidth: 10, priority: 2, value: (task) => task.lastError ?? '-', tone: (task) => (task.lastError === null ? undefined : 'bad')},
]

function taskLines(tasks: readonly PeriodicTaskStatus[], width: number): ReactNode[] {
  if (tasks.length === 0) return [field('Periodic', <Text dimColor>no periodic tasks</Text>)]
  const columns = fitColumns(TASK_COLUMNS, width - 2)
  return [
    <Text wrap="truncate" bold>
      {'  '}
      {columns.map(({column, width: columnWidth}, index) => (index > 0 ? ' ' : '') + fit(column.title, columnWidth, column.align)).join('')}
    </Text>,
    ...tasks.map((task) => (
      <Text wrap="truncate">
        {'  '}
        {columns.map(({column, width: columnWidth}, index) => {
          const tone = column.tone?.(task)
          return (
            <Text key={column.id} {...(tone === undefined ? {} : {color: TONE_COLOURS[tone]})}>
              {(index > 0 ? ' ' : '') + fit(column.value(task), columnWidth, column.align)}
            </Text>
          )
        })}
      </Text>
    )),
  ]
}
