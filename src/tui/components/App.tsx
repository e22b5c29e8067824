import {Dashboard, type Props as DashboardProps} from './Dashboard.js'
import {ErrorBoundary} from './ErrorBoundary.js'

export interface Props extends DashboardProps {
  /** Told of an error the UI threw while drawing. */
  onError?: (error: Error) => void
}

/** The root: the dashboard inside an error boundary, so a bug shows a message, not a dead terminal. */
export function App({onError, ...dashboard}: Props) {
  return (
    <ErrorBoundary {...(onError === undefined ? {} : {onError})}>
      <Dashboard {...dashboard} />
    </ErrorBoundary>
  )
}
