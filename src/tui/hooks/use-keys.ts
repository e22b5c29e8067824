import {useInput, type Key} from 'ink'
import {useCallback, useRef} from 'react'

/**
 * useInput with a handler that always sees the latest render. Ink re-subscribes a new handler in
 * an effect, which runs some time after the render: keys typed faster than that (key repeat, a
 * paste arriving as several events, a slow paint) would reach the previous render's handler and
 * act on stale state. One subscription reading the newest handler has no such window.
 */
export function useKeys(handler: (input: string, key: Key) => void): void {
  const latest = useRef(handler)
  latest.current = handler
  useInput(useCallback((input: string, key: Key) => latest.current(input, key), []))
}
