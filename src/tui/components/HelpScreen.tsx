import {Box, Text} from 'ink'
import {KEY_HELP} from '../key-help.js'

export interface Props {
  width: number
  height: number
}

/** Every key and what it does (`?` or esc closes it). */
export function HelpScreen({width, height}: Props) {
  const lines = [
    <Text key="title" bold>
      Keys (? or esc closes this help)
    </Text>,
    ...KEY_HELP.map((key) => (
      <Text key={key.keys + key.does} wrap="truncate">
        <Text bold>{key.keys.padEnd(10)}</Text>
        {key.does}
        {key.views === undefined ? '' : <Text dimColor> [{key.views.join(', ')}]</Text>}
      </Text>
    )),
    <Text key="confirm" dimColor wrap="truncate">
      Changes ask to confirm: y does it, n or esc does not. State shows as a symbol and a word: ▲ up ▼ down ■ stopped ✖ errored ↻ restarting.
    </Text>,
  ]
  return (
    <Box flexDirection="column" width={width} height={height}>
      {lines.slice(0, height)}
    </Box>
  )
}
