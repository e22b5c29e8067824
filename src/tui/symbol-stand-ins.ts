/**
 * Stand-ins for the dashboard's symbols (`▲`, `·`, `›`…) while Ink measures text.
 *
 * Ink 6.8 measures every Text of every paint with string-width, whose fast path takes printable
 * ASCII only: a string with one `▲` goes through grapheme segmentation and emoji regular
 * expressions, ~20 µs and ~8 KiB of garbage a call, against ~0.2 µs, and a services table has a
 * `▲ up` on every row. So SymbolText gives Ink the text with each narrow symbol (one cell wide,
 * never joined to a neighbour: isNarrowSymbol) replaced by an ASCII stand-in of the same width, and
 * puts the symbols back in the line Ink writes. Layout and screen are the same.
 */
import {isNarrowSymbol} from './ink-frame.js'

/** What stands in for a narrow symbol: printable ASCII, one cell, as the symbol is. */
export const STAND_IN = '?'

/** Whether every character is printable ASCII: nothing to stand in for. */
export function isPrintableAscii(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code < 0x20 || code > 0x7e) return false
  }
  return true
}

/** Whether every character is printable ASCII or a narrow symbol, with at least one symbol: what stand-ins are for. */
export function hasOnlyNarrowSymbols(text: string): boolean {
  let symbols = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code >= 0x20 && code <= 0x7e) continue
    if (!isNarrowSymbol(code)) return false
    symbols++
  }
  return symbols > 0
}

/**
 * The text with each non-ASCII character replaced by STAND_IN (call after hasOnlyNarrowSymbols),
 * or with `every`, each character: then Ink measures, and keeps in its size cache, only a run of
 * stand-ins as long as the text, the same for every text of that length (log lines never repeat).
 */
export function standIn(text: string, every = false): string {
  if (every) return STAND_IN.repeat(text.length)
  let result = ''
  let from = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code >= 0x20 && code <= 0x7e) continue
    result += text.slice(from, index) + STAND_IN
    from = index + 1
  }
  return result + text.slice(from)
}

/**
 * `line` (the stand-in text as Ink writes it: styled with SGR codes) with the symbols of `text`
 * (with `every`, all its characters) back in their places. A line that is not `text`'s characters
 * one for one (Ink cut or wrapped it, which a fitted cell never needs) is returned as it is.
 */
export function restoreSymbols(line: string, text: string, every = false): string {
  let result = ''
  let from = 0
  let visible = 0
  let index = 0
  while (index < line.length) {
    if (line.charCodeAt(index) === 0x1b) {
      // An SGR sequence, ESC [ parameters m: copied as it is.
      const end = line.indexOf('m', index)
      if (end === -1) return line
      index = end + 1
      continue
    }
    const original = text.charCodeAt(visible)
    if (every || original < 0x20 || original > 0x7e) {
      if (line[index] !== STAND_IN) return line
      result += line.slice(from, index) + text[visible]
      from = index + 1
    }
    visible++
    index++
  }
  return visible === text.length ? result + line.slice(from) : line
}
