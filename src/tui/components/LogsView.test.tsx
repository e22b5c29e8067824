import {Box, Text} from 'ink'
import {cleanup, render} from 'ink-testing-library'
import {afterEach, describe, expect, test, vi} from 'vitest'
import type {TelemetryLogLine} from '../../monitor/telemetry.js'
import {formatClock} from '../format.js'
import {LogsView, lineParts} from './LogsView.js'

vi.hoisted(() => {
  process.env.FORCE_COLOR = '1'
})

afterEach(() => cleanup())

const line = (message: string, level: TelemetryLogLine['level'] = 'info', host = 'tui-1'): TelemetryLogLine => ({time: '2026-11-26T02:40:00.000Z', host, level, message, fields: {}})

/** A line as the view drew it before its stand-ins: nested Texts that Ink cuts to the width. */
function PlainLine({entry}: {entry: TelemetryLogLine}) {
  const colour = {debug: 'gray', info: undefined, warn: 'yellow', error: 'red'}[entry.level]
  return (
    <Text wrap="truncate">
      <Text dimColor>{formatClock(entry.time)} </Text>
      <Text {...(colour === undefined ? {} : {color: colour})}>{entry.level.toUpperCase().padEnd(5)}</Text> <Text dimColor>{entry.host}</Text> {entry.message}
    </Text>
  )
}

describe('the logs view', () => {
  test('draws each line as plain nested Texts would, cut to the width with `…`, symbols and wide characters too', () => {
    const lines = [
      line('share 4b1f available'),
      line('capabilities of tui-1@fast accepted (2026-11-26T02:40:00.000Z) capabilities={"pools":[{"name":"localfs"}]}', 'warn'),
      line('reload · generation 2 ▲ serves', 'error'),
      line('共有 4b1f を作成しました', 'debug'),
      line('x'.repeat(54 - 21)),
      line('x'.repeat(54 - 20)),
    ]
    for (const width of [54, 30, 12]) {
      const plain = render(
        <Box flexDirection="column" width={width}>
          {lines.map((entry, index) => (
            <PlainLine key={index} entry={entry} />
          ))}
        </Box>,
      ).lastFrame()
      const drawn = render(<LogsView lines={lines} scrollBack={0} level="debug" scope="all hosts" width={width} height={lines.length + 1} />).lastFrame()!
      expect(drawn.split('\n').slice(1).join('\n'), `${width} columns`).toBe(plain)
    }
  })

  test('cuts a line in the part where it ends, keeping the styles of the parts before it', () => {
    const parts = lineParts(line('a message too long for the view', 'warn'), 24)
    const clock = formatClock('2026-11-26T02:40:00.000Z')
    expect(parts.map((part) => part.text).join('')).toBe(`${clock} WARN  tui-1 a …`)
    expect(parts.map((part) => part.color ?? (part.dimColor === true ? 'dim' : ''))).toEqual(['dim', 'yellow', '', 'dim', ''])
    expect(lineParts(line('short\nand more'), 80).map((part) => part.text).join('')).toBe(`${clock} INFO  tui-1 short and more`)
  })
})
