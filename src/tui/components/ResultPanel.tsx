import {Box, Text} from 'ink'

export interface Props {
  title: string
  /** The result as text (pretty JSON) or the error. */
  text: string
  failed: boolean
  width: number
  height: number
}

/** The result of an RPC call, as many lines as fit; esc, enter or q closes it. */
export function ResultPanel({title, text, failed, width, height}: Props) {
  const lines = text.split('\n')
  const room = Math.max(0, height - 2)
  const shown = lines.length > room ? [...lines.slice(0, Math.max(0, room - 1)), `… ${lines.length - room + 1} more lines`] : lines
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate" bold color={failed ? 'red' : 'green'}>
        {failed ? '✖ ' : '✔ '}
        {title}
      </Text>
      {shown.map((line, index) => (
        <Text key={index} wrap="truncate">
          {line === '' ? ' ' : line}
        </Text>
      ))}
      <Text dimColor>esc, enter or q closes</Text>
    </Box>
  )
}
