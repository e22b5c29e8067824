/** Where a JSON text stops being valid: 0-based offset, 1-based line and column. */
export interface JsonErrorPosition {
  offset: number
  line: number
  column: number
}

class ScanFailed extends Error {
  constructor(readonly offset: number) {
    super('invalid JSON')
  }
}

const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const hexDigit = /[0-9a-fA-F]/

/**
 * The position of the first character at which `text` is not valid JSON (the end of the text when
 * it stops early), or undefined when it is valid. Node 20's `JSON.parse` errors do not say where
 * the problem is ("Unexpected token '}', ... is not valid JSON"), and a user repairing a state file
 * by hand needs the line. Only called after `JSON.parse` has failed, so speed does not matter.
 */
export function findJsonErrorPosition(text: string): JsonErrorPosition | undefined {
  let at = 0
  const fail = (): never => {
    throw new ScanFailed(at)
  }
  const skipSpace = (): void => {
    while (at < text.length && ' \t\n\r'.includes(text.charAt(at))) at++
  }
  const expect = (char: string): void => {
    if (text.charAt(at) !== char) fail()
    at++
  }
  const scanString = (): void => {
    expect('"')
    for (;;) {
      if (at >= text.length) fail()
      const char = text.charAt(at)
      if (char === '"') {
        at++
        return
      }
      if (char < ' ') fail()
      if (char === '\\') {
        at++
        const escape = text.charAt(at)
        if (escape === 'u') {
          for (let digit = 0; digit < 4; digit++) {
            at++
            if (!hexDigit.test(text.charAt(at))) fail()
          }
        } else if (!'"\\/bfnrt'.includes(escape) || escape === '') {
          fail()
        }
      }
      at++
    }
  }
  const scanLiteral = (word: string): void => {
    for (const char of word) expect(char)
  }
  const scanValue = (): void => {
    skipSpace()
    const char = text.charAt(at)
    if (char === '{') {
      at++
      skipSpace()
      if (text.charAt(at) === '}') {
        at++
        return
      }
      for (;;) {
        skipSpace()
        scanString()
        skipSpace()
        expect(':')
        scanValue()
        skipSpace()
        if (text.charAt(at) === '}') {
          at++
          return
        }
        expect(',')
      }
    }
    if (char === '[') {
      at++
      skipSpace()
      if (text.charAt(at) === ']') {
        at++
        return
      }
      for (;;) {
        scanValue()
        skipSpace()
        if (text.charAt(at) === ']') {
          at++
          return
        }
        expect(',')
      }
    }
    if (char === '"') return scanString()
    if (char === 't') return scanLiteral('true')
    if (char === 'f') return scanLiteral('false')
    if (char === 'n') return scanLiteral('null')
    numberPattern.lastIndex = at
    if (!numberPattern.test(text)) fail()
    at = numberPattern.lastIndex
  }

  try {
    scanValue()
    skipSpace()
    if (at < text.length) fail()
    return undefined
  } catch (error) {
    if (!(error instanceof ScanFailed)) throw error
    return positionOf(text, Math.min(error.offset, text.length))
  }
}

function positionOf(text: string, offset: number): JsonErrorPosition {
  let line = 1
  let lineStart = 0
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line++
    lineStart = index + 1
  }
  return {offset, line, column: offset - lineStart + 1}
}
