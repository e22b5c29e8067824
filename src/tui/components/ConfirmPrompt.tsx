import {Box, Text} from 'ink'

export interface Props {
  question: string
  width: number
}

/** A yes/no question, as drawn; y confirms, anything in confirmAnswer's no list cancels. */
export function ConfirmPrompt({question, width}: Props) {
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate" color="yellow" bold>
        ? {question} [y/N]
      </Text>
    </Box>
  )
}
