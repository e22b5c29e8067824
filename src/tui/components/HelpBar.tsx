import {Box, Text} from 'ink'
import {keysFor} from '../key-help.js'
import type {View} from '../views.js'

export interface Props {
  view: View
  width: number
}

/** One line of the keys that work in this view; `?` shows them all. */
export function HelpBar({view, width}: Props) {
  // quit and help first, then this view's own keys, then moving about (cut first when narrow).
  const inBar = keysFor(view).filter((key) => key.bar !== undefined)
  const keys = [...inBar.filter((key) => key.keys === 'q' || key.keys === '?'), ...inBar.filter((key) => key.views !== undefined), ...inBar.filter((key) => key.views === undefined && key.keys !== 'q' && key.keys !== '?')]
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate">
        {keys.map((key, index) => (
          <Text key={key.keys}>
            {index > 0 ? ' ' : ''}
            <Text bold inverse>
              {key.keys}
            </Text>{' '}
            <Text dimColor>{key.bar}</Text>
          </Text>
        ))}
      </Text>
    </Box>
  )
}

