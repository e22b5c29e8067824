import {Box} from 'ink'
import {keysFor} from '../key-help.js'
import type {View} from '../views.js'
import {SymbolText} from './SymbolText.js'

export interface Props {
  view: View
  width: number
}

/** One line of the keys that work in this view; `?` shows them all. */
export function HelpBar({view, width}: Props) {
  // quit and help first, then this view's own keys, then moving about (cut first when narrow).
  const inBar = keysFor(view).filter((key) => key.bar !== undefined)
  const keys = [...inBar.filter((key) => key.keys === 'q' || key.keys === '?'), ...inBar.filter((key) => key.views !== undefined), ...inBar.filter((key) => key.views === undefined && key.keys !== 'q' && key.keys !== '?')]
  const parts = keys.flatMap((key, index) => [{text: index > 0 ? ' ' : ''}, {text: key.keys, bold: true, inverse: true}, {text: ' '}, {text: key.bar ?? '', dimColor: true}])
  return (
    <Box width={width} height={1}>
      <SymbolText parts={parts} standIns={parts.reduce((length, part) => length + part.text.length, 0) <= width} />
    </Box>
  )
}

