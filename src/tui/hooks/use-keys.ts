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
  useInput(
    useCallback((input: string, key: Key) => {
      if (input.length <= 1 || key.ctrl || key.meta) return latest.current(input, key)
      // Keys typed while the process was busy arrive together ("jjd"), as a paste does: take
      // them one by one, so each moves or acts, and text goes into whatever prompt opens.
      for (const char of input) {
        if (char === '\r' || char === '\n') latest.current('', {...key, return: true})
        else if (char === '\t') latest.current('', {...key, tab: true})
        else if (char === '\u007F' || char === '\b') latest.current('', {...key, backspace: true})
        else latest.current(char, {...key, shift: /[A-Z]/.test(char)})
      }
      return undefined
    }, []),
  )
}
