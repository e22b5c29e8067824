import {Box} from 'ink'
import {formatClock, plural} from '../format.js'
import {VIEWS, type View} from '../views.js'
import {SymbolText} from './SymbolText.js'

export interface Props {
  view: View
  hosts: number
  services: number
  /** When the model was made (ISO). */
  at: string
  width: number
}

const TITLES: Record<View, string> = {services: 'Services', detail: 'Detail', hosts: 'Hosts', logs: 'Logs'}

/**
 * The top line: the views (the current one bracketed and inverse), counts and the model's time.
 * The time is a Text of its own that Ink measures as stand-ins: Ink 6 caches the size of every
 * text it lays out, for good (ink#986), so a line that changes every second would add a cache
 * entry a second for as long as the UI runs, and the time itself one a second for a day. Narrow,
 * the counts are cut before the time.
 */
export function Header({view, hosts, services, at, width}: Props) {
  const clock = ` ${formatClock(at)}`
  const parts = [
    {text: 'steward ', bold: true},
    ...VIEWS.map((candidate, index) => ({text: candidate === view ? `[${index + 1} ${TITLES[candidate]}]` : ` ${index + 1} ${TITLES[candidate]} `, inverse: candidate === view})),
    {text: ` ${plural(hosts, 'host')} · ${plural(services, 'service')} ·`, dimColor: true},
  ]
  return (
    <Box width={width} height={1}>
      <SymbolText parts={parts} standIns={parts.reduce((length, part) => length + part.text.length, clock.length) <= width} />
      <Box flexShrink={0}>
        <SymbolText parts={[{text: clock}]} dimColor standIns="all" />
      </Box>
    </Box>
  )
}
