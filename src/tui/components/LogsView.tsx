import {Box, Text} from 'ink'
import type {LogLevel} from '../../config/options.js'
import type {TelemetryLogLine} from '../../monitor/telemetry.js'
import {formatClock} from '../format.js'
import type {Tone} from '../table-columns.js'
import {TONE_COLOURS} from '../table-columns.js'

export interface Props {
  /** Lines to show, oldest first, already filtered. */
  lines: readonly TelemetryLogLine[]
  /** Lines scrolled back from the newest; 0 follows the tail. */
  scrollBack: number
  level: LogLevel
  /** What the lines are of: `all hosts` or a service's name. */
  scope: string
  width: number
  height: number
}

const LEVEL_TONES: Record<LogLevel, Tone | undefined> = {debug: 'muted', info: undefined, warn: 'warn', error: 'bad'}

/** The tail of the hosts' log lines: newest at the bottom, one line each. */
export function LogsView({lines, scrollBack, level, scope, width, height}: Props) {
  const bodyHeight = Math.max(0, height - 1)
  const back = Math.min(scrollBack, Math.max(0, lines.length - bodyHeight))
  const end = lines.length - back
  const shown = lines.slice(Math.max(0, end - bodyHeight), end)
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate" bold>
        Logs of {scope} · level ≥ {level} · {lines.length} lines{back > 0 ? ` · scrolled back ${back} (G follows)` : ' · following'}
      </Text>
      {lines.length === 0 ? <Text dimColor>No log lines{level === 'debug' ? '' : ` at ${level} or above`} yet.</Text> : null}
      {shown.map((line, index) => {
        const tone = LEVEL_TONES[line.level]
        return (
          <Text key={end - shown.length + index} wrap="truncate">
            <Text dimColor>{formatClock(line.time)} </Text>
            <Text {...(tone === undefined ? {} : {color: TONE_COLOURS[tone]})}>{line.level.toUpperCase().padEnd(5)}</Text> <Text dimColor>{line.host}</Text> {line.message}
          </Text>
        )
      })}
    </Box>
  )
}
