import {Box, Text, useApp, useInput} from 'ink'
import {Component, type ErrorInfo, type ReactNode} from 'react'

export interface Props {
  children: ReactNode
  /** Told of the error, so it can be printed again once the terminal is restored. */
  onError?: (error: Error) => void
}

interface State {
  error: Error | undefined
}

/**
 * Catches what the UI throws while rendering and shows it with a way out, instead of leaving a
 * dead terminal: the process keeps its terminal state and quits on `q` or Ctrl-C.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = {error: undefined}

  static getDerivedStateFromError(error: unknown): State {
    return {error: error instanceof Error ? error : new Error(String(error))}
  }

  override componentDidCatch(error: Error, _info: ErrorInfo): void {
    this.props.onError?.(error)
  }

  override render(): ReactNode {
    return this.state.error === undefined ? this.props.children : <CrashScreen error={this.state.error} />
  }
}

function CrashScreen({error}: {error: Error}) {
  const {exit} = useApp()
  useInput((input, key) => {
    if (input === 'q' || key.escape || (key.ctrl && input === 'c')) exit()
  })
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text color="red" bold>
        ✖ The monitor hit an error and stopped drawing.
      </Text>
      <Text wrap="truncate">{error.message}</Text>
      <Text dimColor>Press q to quit; the error is printed again after the terminal is restored.</Text>
    </Box>
  )
}
