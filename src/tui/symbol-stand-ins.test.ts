import {describe, expect, test} from 'vitest'
import {hasOnlyNarrowSymbols, isPrintableAscii, restoreSymbols, STAND_IN, standIn} from './symbol-stand-ins.js'

describe('stand-ins for narrow symbols', () => {
  test('which texts take them: printable ASCII with narrow symbols, nothing else', () => {
    expect(isPrintableAscii('steward-share 12.3ms')).toBe(true)
    expect(isPrintableAscii('▲ up')).toBe(false)
    expect(hasOnlyNarrowSymbols('▲ up')).toBe(true)
    expect(hasOnlyNarrowSymbols('› tui-1 · 200 services ✔ ≥ µ')).toBe(true)
    expect(hasOnlyNarrowSymbols('plain')).toBe(false)
    expect(hasOnlyNarrowSymbols('▲ 日本')).toBe(false)
    expect(hasOnlyNarrowSymbols('✅ done')).toBe(false)
    expect(hasOnlyNarrowSymbols('cafe\u0301 ▲')).toBe(false)
    expect(hasOnlyNarrowSymbols('a\tb ▲')).toBe(false)
  })

  test('each symbol becomes one ASCII character, and comes back in a styled line', () => {
    const text = '› ▲ up · 3'
    const shown = standIn(text)
    expect(shown).toBe(`${STAND_IN} ${STAND_IN} up ${STAND_IN} 3`)
    expect(restoreSymbols(shown, text)).toBe(text)
    const styled = `\u001B[7m${STAND_IN} \u001B[32m${STAND_IN} up\u001B[39m \u001B[2m${STAND_IN} 3\u001B[22m\u001B[27m`
    expect(restoreSymbols(styled, text)).toBe(`\u001B[7m› \u001B[32m▲ up\u001B[39m \u001B[2m· 3\u001B[22m\u001B[27m`)
  })

  test('with every, each character stands in: Ink measures only the length', () => {
    const text = 'INFO  tui-1 share · ok'
    const shown = standIn(text, true)
    expect(shown).toBe(STAND_IN.repeat(text.length))
    const styled = `\u001B[2m${shown.slice(0, 6)}\u001B[22m${shown.slice(6)}`
    expect(restoreSymbols(styled, text, true)).toBe(`\u001B[2m${text.slice(0, 6)}\u001B[22m${text.slice(6)}`)
    expect(restoreSymbols(`${shown.slice(0, 5)}…`, text, true)).toBe(`${shown.slice(0, 5)}…`)
  })

  test('a line that is not the text one for one (cut or wrapped) is left as it is', () => {
    const text = '▲ up and more'
    expect(restoreSymbols(`${STAND_IN} up a…`, text)).toBe(`${STAND_IN} up a…`)
    expect(restoreSymbols('x up and more', text)).toBe('x up and more')
    expect(restoreSymbols(`${standIn(text)} extra`, text)).toBe(`${standIn(text)} extra`)
  })
})
