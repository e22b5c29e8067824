import {Box, Text} from 'ink'
import type {MonitoredHost} from '../../monitor/telemetry.js'
import {fit, formatAge, formatBytes} from '../format.js'
import {useScrollOffset} from '../hooks/use-scroll-offset.js'
import {hostStateLabel} from '../service-table.js'
import {fitColumns, TONE_COLOURS, type Column} from '../table-columns.js'

export interface Props {
  hosts: readonly MonitoredHost[]
  selected: number
  width: number
  height: number
}

const HOST_COLUMNS: readonly Column<MonitoredHost>[] = [
  {id: 'name', title: 'HOST', width: 14, minWidth: 8, priority: 0, value: (host) => host.record.name},
  {
    id: 'state',
    title: 'STATE',
    width: 9,
    priority: 1,
    value: (host) => {
      const label = hostStateLabel(host.state)
      return `${label.symbol} ${label.text}`
    },
    tone: (host) => hostStateLabel(host.state).tone,
  },
  // After the figures: at 80 columns it is cut from the start, keeping the socket's name or port.
  {id: 'endpoint', title: 'ENDPOINT', width: 30, minWidth: 16, priority: 6, cut: 'start', value: (host) => host.telemetry?.endpoint ?? host.record.endpoint},
  {id: 'pid', title: 'PID', width: 7, priority: 3, align: 'right', value: (host) => String(host.telemetry?.pid ?? host.record.pid)},
  {id: 'uptime', title: 'UPTIME', width: 7, priority: 4, align: 'right', value: (host) => formatAge(host.telemetry?.uptimeSeconds ?? null)},
  {id: 'rss', title: 'RSS', width: 6, priority: 5, align: 'right', value: (host) => formatBytes(host.telemetry?.rssBytes ?? null)},
  {id: 'heap', title: 'HEAP', width: 6, priority: 7, align: 'right', value: (host) => formatBytes(host.telemetry?.heapUsedBytes ?? null)},
  {id: 'cpu', title: 'CPU%', width: 6, priority: 5, align: 'right', value: (host) => (host.telemetry === null ? '-' : host.telemetry.cpuPercent.toFixed(1))},
  {id: 'version', title: 'VERSION', width: 8, priority: 8, value: (host) => host.record.version},
]

/** The host processes: where they listen, their pid, uptime, memory and CPU. */
export function HostsTable({hosts, selected, width, height}: Props) {
  const columns = fitColumns(HOST_COLUMNS, width - 2)
  const bodyHeight = Math.max(0, height - 1)
  const offset = useScrollOffset(selected, hosts.length, bodyHeight)
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate" bold>
        {'  '}
        {columns.map(({column, width: columnWidth}, index) => (index > 0 ? ' ' : '') + fit(column.title, columnWidth, column.align)).join('')}
      </Text>
      {hosts.length === 0 ? <Text dimColor>No hosts in the state store yet.</Text> : null}
      {hosts.slice(offset, offset + bodyHeight).map((host, index) => {
        const isSelected = offset + index === selected
        return (
          <Text key={host.record.name} wrap="truncate" inverse={isSelected}>
            {isSelected ? '› ' : '  '}
            {columns.map(({column, width: columnWidth}, columnIndex) => {
              const tone = column.tone?.(host)
              return (
                <Text key={column.id} {...(tone === undefined ? {} : {color: TONE_COLOURS[tone]})}>
                  {(columnIndex > 0 ? ' ' : '') + fit(column.value(host), columnWidth, column.align, column.cut)}
                </Text>
              )
            })}
          </Text>
        )
      })}
    </Box>
  )
}
