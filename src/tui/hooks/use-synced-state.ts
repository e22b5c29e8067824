import {useCallback, useRef, useState} from 'react'

/**
 * State whose newest value can be read at once, before React renders it. Ink hands each key to
 * the handler of the last render, and React renders later (in a microtask, or after other keys
 * of the same chunk): a handler reading render-time state would lose keys typed in between. Key
 * handlers read `latest()` and update through `set`, which applies on top of the newest value.
 */
export function useSyncedState<T>(initial: T): [value: T, set: (update: (previous: T) => T) => void, latest: () => T] {
  const ref = useRef(initial)
  const [value, setValue] = useState(initial)
  const set = useCallback((update: (previous: T) => T) => {
    ref.current = update(ref.current)
    setValue(ref.current)
  }, [])
  const latest = useCallback(() => ref.current, [])
  return [value, set, latest]
}
