import {Box, Text} from 'ink'
import {memo} from 'react'
import type {MonitoredService} from '../../monitor/telemetry.js'
import {fit, plural} from '../format.js'
import {useScrollOffset} from '../hooks/use-scroll-offset.js'
import {hasServiceKey, hostStateLabel, SERVICE_COLUMNS, serviceKey, type ServiceLine, type ServiceSort} from '../service-table.js'
import {fitColumns, TONE_COLOURS, type FittedColumn} from '../table-columns.js'
import {SymbolText, type Part} from './SymbolText.js'

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
  const selected = lines.findIndex((line) => line.kind === 'service' && hasServiceKey(line.service, selectedKey))
  const bodyHeight = Math.max(0, height - 1)
  // Keep the group header of the first visible service in view when the selection is at the top.
  const offset = useScrollOffset(selected <= 1 ? 0 : selected, lines.length, bodyHeight)
  const visible = lines.slice(offset, offset + bodyHeight)
  return (
    <Box flexDirection="column" width={width} height={height}>
      <SymbolText
        bold
        parts={[
          {text: ' '.repeat(MARKER)},
          ...columns.map(({column, width: columnWidth}, index) => {
            const mark = column.id === sort.column ? (sort.descending ? '▼' : '▲') : ''
            return {text: (index > 0 ? ' ' : '') + fit(column.title + mark, columnWidth, column.align), underline: mark !== ''}
          }),
        ]}
      />
      {lines.length === 0 ? (
        <Text dimColor>{filter === '' ? 'No services yet.' : `No service matches "${filter}" (Esc clears the filter).`}</Text>
      ) : null}
      {visible.map((line) => {
        if (line.kind === 'group') return <GroupRow key={`group:${line.host}`} host={line.host} state={line.state} count={line.count} />
        const key = serviceKey(line.service)
        const isSelected = key === selectedKey
        return <ServiceRow key={key} segments={serviceSegments(line.service, columns, isSelected)} selected={isSelected} />
      })}
    </Box>
  )
}

interface GroupRowProps {
  host: string
  state: Extract<ServiceLine, {kind: 'group'}>['state']
  count: number
}

// Rows and their Texts are memoised on what they show: the model's objects are new on every
// update, but most of what a row shows (binary, topic, state…) is not, and a Text that React does
// not render again costs Ink no new props, no text update and no re-measure.
const GroupRow = memo(function GroupRow({host, state, count}: GroupRowProps) {
  const label = state === null ? undefined : hostStateLabel(state)
  return (
    <SymbolText
      bold
      parts={[
        {text: `▸ ${host}`},
        label === undefined ? {text: ' (no host record)', dimColor: true} : {text: ` ${label.symbol} ${label.text}`, color: TONE_COLOURS[label.tone]},
        {text: ` · ${plural(count, 'service')}`, dimColor: true},
      ]}
    />
  )
})

/** What one Text of a row draws: a run of steady cells (see below), or one cell. */
interface Segment {
  key: string
  parts: Part[]
}

/**
 * A service's row as Texts: the selection marker and each run of steady columns (host, binary,
 * topic, zone, status, state) make one Text, every other column a Text of its own. The steady run's
 * text repeats from paint to paint, as a lively cell's value does, so Ink's size cache (which 6.8
 * never empties, ink#986) stays bounded; a row of one Text made a new entry a paint. Fewer Texts
 * are fewer Yoga nodes, measures and writes a paint.
 */
function serviceSegments(service: MonitoredService, columns: FittedColumn<MonitoredService>[], selected: boolean): Segment[] {
  const segments: Segment[] = [{key: 'marker', parts: [{text: selected ? '› ' : '  ', color: undefined}]}]
  let steadyRun = true
  columns.forEach(({column, width}, index) => {
    const tone = column.tone?.(service)
    // A cell's text is fitted to its column, with the space before it.
    const part = {text: (index > 0 ? ' ' : '') + fit(column.value(service), width, column.align, column.cut), color: tone === undefined ? undefined : TONE_COLOURS[tone]}
    const last = segments.at(-1)
    if (column.steady === true && steadyRun && last !== undefined) last.parts.push(part)
    else segments.push({key: column.id, parts: [part]})
    steadyRun = column.steady === true
  })
  return segments
}

const samePart = (a: Part, b: Part | undefined) =>
  b !== undefined && a.text === b.text && a.color === b.color && a.dimColor === b.dimColor && a.bold === b.bold && a.inverse === b.inverse && a.underline === b.underline
const sameParts = (a: readonly Part[], b: readonly Part[]) => a.length === b.length && a.every((part, index) => samePart(part, b[index]))
const sameSegments = (a: readonly Segment[], b: readonly Segment[]) => a.length === b.length && a.every((segment, index) => segment.key === b[index]?.key && sameParts(segment.parts, b[index]?.parts ?? []))

/**
 * A row is a Box of Texts, not one Text: a row's whole line seldom repeats, and Ink's size cache
 * would keep every one; the symbols (`▲`, `›`) cost no more than ASCII (SymbolText).
 */
const ServiceRow = memo(
  function ServiceRow({segments, selected}: {segments: Segment[]; selected: boolean}) {
    return (
      <Box height={1}>
        {segments.map((segment) => (
          <RowText key={segment.key} parts={segment.parts} inverse={selected} />
        ))}
      </Box>
    )
  },
  (before, after) => before.selected === after.selected && sameSegments(before.segments, after.segments),
)

const RowText = memo(
  function RowText({parts, inverse}: {parts: Part[]; inverse: boolean}) {
    return <SymbolText parts={parts} inverse={inverse} />
  },
  (before, after) => before.inverse === after.inverse && sameParts(before.parts, after.parts),
)
