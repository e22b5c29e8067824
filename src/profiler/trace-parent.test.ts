import {describe, expect, it} from 'vitest'
import {formatTraceParent, isSampledTraceParent, parseTraceParent} from './trace-parent.js'

const id = '0af7651916cd43dd8448eb211c80319c'
const span = 'b7ad6b7169203331'

describe('traceparent', () => {
  it('parses a version 00 traceparent into a remote span context, and formats one back', () => {
    const context = parseTraceParent(`00-${id}-${span}-01`)
    expect(context).toEqual({traceId: id, spanId: span, traceFlags: 1, isRemote: true})
    expect(formatTraceParent(context!)).toBe(`00-${id}-${span}-01`)
    expect(formatTraceParent({traceId: id, spanId: span, traceFlags: 0})).toBe(`00-${id}-${span}-00`)
  })

  it('refuses malformed ones and all-zero ids', () => {
    for (const text of ['', `01-${id}-${span}-01`, `00-${id.toUpperCase()}-${span}-01`, `00-${'0'.repeat(32)}-${span}-01`, `00-${id}-${'0'.repeat(16)}-01`, `00-${id}-${span}-01-extra`]) {
      expect(parseTraceParent(text), text).toBeUndefined()
    }
  })

  it('reads the sampled bit of the flags, letters included', () => {
    expect(['00', '01', '02', '03', '0a', '0b', '0f', 'fe', 'ff'].map((flags) => isSampledTraceParent(`00-${id}-${span}-${flags}`))).toEqual([false, true, false, true, false, true, true, false, true])
  })
})
