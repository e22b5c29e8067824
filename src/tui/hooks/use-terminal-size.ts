import {useStdout} from 'ink'
import {useEffect, useState} from 'react'

export interface TerminalSize {
  columns: number
  rows: number
}

const FALLBACK: TerminalSize = {columns: 80, rows: 24}

/** The terminal's size, following resizes; `fixed` (tests, or a caller that knows) overrides it. */
export function useTerminalSize(fixed?: TerminalSize): TerminalSize {
  const {stdout} = useStdout()
  const read = (): TerminalSize => ({columns: stdout.columns || FALLBACK.columns, rows: stdout.rows || FALLBACK.rows})
  const [size, setSize] = useState(read)
  useEffect(() => {
    if (fixed !== undefined) return undefined
    const onResize = () => setSize(read())
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  }, [stdout, fixed])
  return fixed ?? size
}
