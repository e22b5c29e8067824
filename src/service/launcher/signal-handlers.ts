import type {Logger} from '../../log/logger.js'

export interface SignalHandlersOptions {
  log: Logger
  /** SIGTERM or SIGINT, the first time: begin a graceful stop. */
  stop(signal: NodeJS.Signals): void
  /** SIGHUP: reload the configuration and plugins. Absent: SIGHUP is logged and ignored. */
  reload?(): Promise<void>
  /** A second SIGTERM or SIGINT: leave at once. @default process.exit(1) */
  exitNow?(): void
}

/**
 * A launcher's signals (Manila's ServiceLauncher, with its known flaws fixed): SIGTERM and SIGINT
 * stop gracefully, a second one exits at once; SIGHUP reloads, and SIGHUPs that come while a
 * reload runs are folded into one more reload after it, so two in a row are safe and never exit.
 * Returns the function that removes the handlers.
 */
export function handleSignals({log, stop, reload, exitNow = () => process.exit(1)}: SignalHandlersOptions): () => void {
  let stopSignals = 0
  const onStop = (signal: NodeJS.Signals): void => {
    stopSignals++
    if (stopSignals > 1) {
      // The graceful stop may be waiting on work that will not finish; leave now. The records
      // are not marked stopped, so they read down after service_down_time.
      log.warn(`${signal} again: exiting at once`)
      exitNow()
      return
    }
    log.info(`${signal} received: stopping gracefully (again to stop at once)`)
    stop(signal)
  }
  let reloading: Promise<void> | undefined
  let again = false
  const onHangUp = (): void => {
    if (reload === undefined) {
      log.info('SIGHUP received: nothing to reload here')
      return
    }
    if (stopSignals > 0) {
      log.info('SIGHUP received while stopping: ignored')
      return
    }
    if (reloading !== undefined) {
      again = true
      log.info('SIGHUP received during a reload: reloading once more after it')
      return
    }
    log.info('SIGHUP received: reloading the configuration and plugins')
    const run = async (): Promise<void> => {
      do {
        again = false
        try {
          await reload()
          log.info('reload done')
        } catch (error) {
          log.error('reload failed: the host runs on as it was', {error})
        }
      } while (again && stopSignals === 0)
      reloading = undefined
    }
    reloading = run()
  }
  process.on('SIGINT', onStop)
  process.on('SIGTERM', onStop)
  process.on('SIGHUP', onHangUp)
  return () => {
    process.off('SIGINT', onStop)
    process.off('SIGTERM', onStop)
    process.off('SIGHUP', onHangUp)
  }
}
