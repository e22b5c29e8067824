import {Box, Text} from 'ink'
import type {LogLevel} from '../../config/options.js'
import type {TelemetryLogLine} from '../../monitor/telemetry.js'
import {formatClock} from '../format.js'
import type {Tone} from '../table-columns.js'
import {TONE_COLOURS} from '../table-columns.js'
import {SymbolText, type Part} from './SymbolText.js'

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
      {shown.map((line, index) => (
        <SymbolText key={end - shown.length + index} parts={lineParts(line, width)} standIns="all" />
      ))}
    </Box>
  )
}

/**
 * A log line as styled parts, cut to the width as Ink would cut it: cut here, the line's stand-ins
 * (every character, see SymbolText) fit their place, so that Ink measures a run of stand-ins of
 * the line's length rather than each line, which never repeats.
 */
export function lineParts(line: TelemetryLogLine, width: number): Part[] {
  const tone = LEVEL_TONES[line.level]
  const parts: Part[] = [
    {text: `${formatClock(line.time)} `, dimColor: true},
    {text: line.level.toUpperCase().padEnd(5), color: tone === undefined ? undefined : TONE_COLOURS[tone]},
    {text: ' '},
    {text: line.host, dimColor: true},
    {text: ` ${line.message.replaceAll('\n', ' ')}`},
  ]
  const length = parts.reduce((total, part) => total + part.text.length, 0)
  if (length <= width) return parts
  const cut: Part[] = []
  let left = width
  for (const part of parts) {
    if (part.text.length < left) {
      cut.push(part)
      left -= part.text.length
      continue
    }
    // The part where the line ends: cut with `…` in its place, as Ink's truncate marks it.
    if (left > 0) cut.push({...part, text: `${part.text.slice(0, left - 1)}…`})
    break
  }
  return cut
}
