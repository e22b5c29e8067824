import {Box, Text} from 'ink'
import {TONE_COLOURS, type Tone} from '../table-columns.js'

export interface Status {
  text: string
  tone?: Tone
}

export interface Props {
  status: Status | undefined
  width: number
}

const SYMBOLS: Record<Tone, string> = {good: '✔ ', bad: '✖ ', warn: '… ', muted: ''}

/** The outcome of the last action, or what is running; a symbol says which besides the colour. */
export function StatusLine({status, width}: Props) {
  return (
    <Box width={width} height={1}>
      {status === undefined ? (
        <Text> </Text>
      ) : (
        <Text wrap="truncate" {...(status.tone === undefined ? {} : {color: TONE_COLOURS[status.tone]})}>
          {status.tone === undefined ? '' : SYMBOLS[status.tone]}
          {status.text}
        </Text>
      )}
    </Box>
  )
}
