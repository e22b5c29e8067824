import {describe, expect, it} from 'vitest'
import {findJsonErrorPosition} from './json-error-position.js'

describe('findJsonErrorPosition', () => {
  it.each([
    '{}',
    '[]',
    ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"], "b": {}} ',
    '"text"',
    '0',
  ])('finds nothing wrong in valid JSON %s', (text) => {
    expect(() => JSON.parse(text)).not.toThrow()
    expect(findJsonErrorPosition(text)).toBeUndefined()
  })

  it.each([
    ['{"a": 1,}', 8, 1, 9],
    ['{\n  "a": tru\n}', 12, 2, 11],
    ['{"a": 1} x', 9, 1, 10],
    ['[1, 2', 5, 1, 6],
    ['{"a": "unterminated', 19, 1, 20],
    ['{"a": "bad \\q escape"}', 12, 1, 13],
    ['{"a":\n\n  01}', 10, 3, 4],
    ['', 0, 1, 1],
  ])('places the error in %j at offset %i (line %i, column %i)', (text, offset, line, column) => {
    expect(() => JSON.parse(text)).toThrow()
    expect(findJsonErrorPosition(text)).toEqual({offset, line, column})
  })
})
