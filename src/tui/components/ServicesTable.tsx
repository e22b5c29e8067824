import {Box, Text} from 'ink'
import type {MonitoredService} from '../../monitor/telemetry.js'
import {fit, plural} from '../format.js'
import {useScrollOffset} from '../hooks/use-scroll-offset.js'
import {hostStateLabel, SERVICE_COLUMNS, serviceKey, type ServiceLine, type ServiceSort} from '../service-table.js'
import {fitColumns, TONE_COLOURS, type FittedColumn} from '../table-columns.js'

export interface Props {
  lines: readonly ServiceLine[]
  selectedKey: string | undefined
  sort: ServiceSort
  filter: string
  width: number
  /** Lines available, the title row included. */
  height: number
}

/** Width of the selection marker before each row. */
const MARKER = 2

/** Services grouped by host, one row each, with as many columns as fit. */
export function ServicesTable({lines, selectedKey, sort, filter, width, height}: Props) {
  const columns = fitColumns(SERVICE_COLUMNS, width - MARKER)
  const selected = lines.findIndex((line) => line.kind === 'service' && serviceKey(line.service) === selectedKey)
  const bodyHeight = Math.max(0, height - 1)
  // Keep the group header of the first visible service in view when the selection is at the top.
  const offset = useScrollOffset(selected <= 1 ? 0 : selected, lines.length, bodyHeight)
  const visible = lines.slice(offset, offset + bodyHeight)
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate" bold>
        {' '.repeat(MARKER)}
        {columns.map(({column, width: columnWidth}, index) => {
          const mark = column.id === sort.column ? (sort.descending ? '▼' : '▲') : ''
          return (
            <Text key={column.id} underline={mark !== ''}>
              {(index > 0 ? ' ' : '') + fit(column.title + mark, columnWidth, column.align)}
            </Text>
          )
        })}
      </Text>
      {lines.length === 0 ? (
        <Text dimColor>{filter === '' ? 'No services yet.' : `No service matches "${filter}" (Esc clears the filter).`}</Text>
      ) : null}
      {visible.map((line) =>
        line.kind === 'group' ? (
          <GroupRow key={`group:${line.host}`} line={line} />
        ) : (
          <ServiceRow key={serviceKey(line.service)} service={line.service} columns={columns} selected={serviceKey(line.service) === selectedKey} />
        ),
      )}
    </Box>
  )
}

function GroupRow({line}: {line: Extract<ServiceLine, {kind: 'group'}>}) {
  const label = line.state === null ? undefined : hostStateLabel(line.state)
  return (
    <Text wrap="truncate" bold>
      {'▸ '}
      {line.host}
      {label === undefined ? (
        <Text dimColor> (no host record)</Text>
      ) : (
        <Text color={TONE_COLOURS[label.tone]}>
          {' '}
          {label.symbol} {label.text}
        </Text>
      )}
      <Text dimColor>
        {' · '}
        {plural(line.count, 'service')}
      </Text>
    </Text>
  )
}

/**
 * A row is a Box of one Text a cell, not one Text: Ink measures and draws each Text through
 * string-width, whose fast path takes printable ASCII only, so one `▲` in a row made the whole
 * row take the slow path (grapheme segmentation) two or three times a paint; a cell also keeps
 * its own text, which repeats (`enabled`, `▲ up`, `0.4`), where a row's whole line rarely does.
 */
function ServiceRow({service, columns, selected}: {service: MonitoredService; columns: FittedColumn<MonitoredService>[]; selected: boolean}) {
  return (
    <Box height={1}>
      <Text inverse={selected}>{selected ? '› ' : '  '}</Text>
      {columns.map(({column, width}, index) => {
        const tone = column.tone?.(service)
        return (
          <Text key={column.id} wrap="truncate" inverse={selected} {...(tone === undefined ? {} : {color: TONE_COLOURS[tone]})}>
            {(index > 0 ? ' ' : '') + fit(column.value(service), width, column.align, column.cut)}
          </Text>
        )
      })}
    </Box>
  )
}
