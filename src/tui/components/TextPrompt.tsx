import {Box, Text} from 'ink'

export interface Props {
  label: string
  value: string
  /** Shown after the input, in red, such as why the value was refused. */
  error?: string | undefined
  width: number
}

/** A one-line text input, as drawn; its keys are in line-editor.ts (the dashboard routes them). */
export function TextPrompt({label, value, error, width}: Props) {
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate-start">
        <Text bold>{label} </Text>
        {value}
        <Text inverse> </Text>
        {error === undefined ? '' : <Text color="red"> ✖ {error}</Text>}
      </Text>
    </Box>
  )
}
