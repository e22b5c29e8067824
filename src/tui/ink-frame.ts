/**
 * A faster frame builder for Ink 6.8, put in place of its `Output.get` while the UI runs.
 *
 * Why: Ink 6.8 turns the operations of a paint (writes, clips) into a frame by building the whole
 * terminal as a grid of one object per cell (200×49 of them at 200×50), tokenising every string
 * written into styled characters (grapheme segmentation on every character) and serialising each
 * row back; that was ~43% of a paint of the dashboard, plus the garbage it leaves. Ink 7 and 8
 * do better but need Node ≥ 22, and Ink itself is a decided dependency, so this replaces only that
 * one method.
 *
 * How: a row holds only the pieces written on it (x, runs of characters that share a style), and
 * is serialised from them, gaps as spaces. Whatever it does not understand exactly (escape codes
 * other than the SGR styles Ink's colours use, characters that could be wide or join a grapheme,
 * horizontal clips, fractional or negative positions) makes `buildFrame` answer `undefined`, and
 * Ink's own `get` builds that frame. Styles are reduced and diffed as Ink's tokenizer
 * (@alcalzone/ansi-tokenize) does, so the frame is the same string, byte for byte; before it
 * patches, `installFastInkFrames` checks that on probe frames against Ink's own `get`, and it
 * refuses to patch any other Ink version. Nothing is kept from frame to frame but two bounded
 * tables, of styles and of the codes between two styles.
 */
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

/** The Ink version whose `Output` this was written for and checked against. */
export const INK_VERSION = '6.8.0'

export type OutputTransformer = (line: string, index: number) => string

export interface Clip {
  x1: number | undefined
  x2: number | undefined
  y1: number | undefined
  y2: number | undefined
}

/** What Ink's `Output` records for a paint (its private `operations`). */
export type Operation =
  | {type: 'write'; x: number; y: number; text: string; transformers: readonly OutputTransformer[]}
  | {type: 'clip'; clip: Clip}
  | {type: 'unclip'}

export interface Frame {
  output: string
  height: number
}

// --- Styles: SGR parameters as ansi-styles (under Ink's tokenizer) knows them --------------------

/** Each start parameter with the parameter that ends it. Others (256/true colours, blink…) are not handled here. */
const END_OF = new Map<string, string>([
  ['1', '22'],
  ['2', '22'],
  ['3', '23'],
  ['4', '24'],
  ['7', '27'],
  ['8', '28'],
  ['9', '29'],
  ['53', '55'],
])
for (let code = 30; code <= 37; code++) END_OF.set(String(code), '39')
for (let code = 90; code <= 97; code++) END_OF.set(String(code), '39')
for (let code = 40; code <= 47; code++) END_OF.set(String(code), '49')
for (let code = 100; code <= 107; code++) END_OF.set(String(code), '49')
/** End parameters; `0` (reset) ends everything. */
const ENDS = new Set([...END_OF.values(), '0'])
const isIntensity = (parameter: string) => parameter === '1' || parameter === '2'

/** A reduced style: the start parameters in force, in the order they came. Interned by key. */
interface Style {
  readonly parameters: readonly string[]
  readonly key: string
}

const PLAIN: Style = {parameters: [], key: ''}
// Bounded: when full it is emptied, which costs identity (a faster equality), never correctness.
const styles = new Map<string, Style>([['', PLAIN]])
const transitions = new Map<string, string>()
const TABLE_LIMIT = 512

function styleOf(parameters: readonly string[]): Style {
  const key = parameters.join(';')
  let style = styles.get(key)
  if (style === undefined) {
    if (styles.size >= TABLE_LIMIT) styles.clear()
    style = {parameters, key}
    styles.set(key, style)
  }
  return style
}

/** The style after one parameter, reduced as the tokenizer reduces codes. */
function applyParameter(style: Style, parameter: string): Style {
  const current = style.parameters
  if (parameter === '0') return PLAIN
  if (ENDS.has(parameter)) return styleOf(current.filter((start) => END_OF.get(start) !== parameter))
  // Bold and dim both end with 22 and can be on together; another start replaces the one it shares an end with.
  if (isIntensity(parameter)) return current.includes(parameter) ? style : styleOf([...current, parameter])
  const end = END_OF.get(parameter)
  return styleOf([...current.filter((start) => END_OF.get(start) !== end), parameter])
}

/** The codes that take a terminal from one style to the next, as the tokenizer's diff writes them. */
function transition(from: Style, to: Style): string {
  if (from === to || from.key === to.key) return ''
  const cacheKey = `${from.key}>${to.key}`
  let codes = transitions.get(cacheKey)
  if (codes !== undefined) return codes
  const toStarts = new Set(to.parameters)
  const toEnds = new Set(to.parameters.map((start) => END_OF.get(start)))
  const fromStarts = new Set(from.parameters)
  // What `from` has that `to` neither keeps nor overrides is ended, the latest first; then what
  // `to` adds. (`from` is reduced, so the tokenizer's reduction of the ended ones changes nothing.)
  const ended = from.parameters.filter((start) => (isIntensity(start) ? !toStarts.has(start) : !toEnds.has(END_OF.get(start))))
  const sequence = [...ended.reverse().map((start) => END_OF.get(start) ?? '0'), ...to.parameters.filter((start) => !fromStarts.has(start))]
  codes = [...new Set(sequence)].map((parameter) => `\u001B[${parameter}m`).join('')
  if (transitions.size >= TABLE_LIMIT) transitions.clear()
  transitions.set(cacheKey, codes)
  return codes
}

// --- Lines: runs of one-cell characters that share a style ----------------------------------------

interface Run {
  text: string
  style: Style
}

/**
 * Characters besides printable ASCII taken as they are: one UTF-16 unit, one terminal cell, never
 * joined to a neighbour in a grapheme (Latin-1 letters and signs, general punctuation,
 * arrows, mathematical operators, box drawing, blocks, geometric shapes, check marks). Anything
 * else (CJK, emoji, combining marks, controls) goes to Ink's own `get`. Checked against Ink's
 * string widths at install.
 */
export function isNarrowSymbol(code: number): boolean {
  return (
    (code >= 0xa0 && code <= 0xff && code !== 0xad) ||
    (code >= 0x2010 && code <= 0x2027) ||
    (code >= 0x2030 && code <= 0x205e) ||
    (code >= 0x2190 && code <= 0x22ff) ||
    (code >= 0x2500 && code <= 0x25fc) ||
    (code >= 0x2713 && code <= 0x2718)
  )
}

const isParameterCharacter = (code: number) => (code >= 0x30 && code <= 0x39) || code === 0x3b

/** A line as runs and its width in cells, or undefined when it holds anything not handled here. */
function parseLine(line: string): {runs: Run[]; width: number} | undefined {
  const runs: Run[] = []
  let style = PLAIN
  let textStart = 0
  let width = 0
  let index = 0
  while (index < line.length) {
    const code = line.charCodeAt(index)
    if (code === 0x1b) {
      if (index > textStart) runs.push({text: line.slice(textStart, index), style})
      // Only `ESC [ digits;… m` (SGR) with parameters from END_OF/ENDS.
      if (line.charCodeAt(index + 1) !== 0x5b) return undefined
      let end = index + 2
      while (isParameterCharacter(line.charCodeAt(end))) end++
      if (line.charCodeAt(end) !== 0x6d) return undefined
      for (const parameter of line.slice(index + 2, end).split(';')) {
        if (!END_OF.has(parameter) && !ENDS.has(parameter)) return undefined
        style = applyParameter(style, parameter)
      }
      index = end + 1
      textStart = index
      continue
    }
    if ((code < 0x20 || code > 0x7e) && !isNarrowSymbol(code)) return undefined
    width++
    index++
  }
  if (index > textStart) runs.push({text: line.slice(textStart, index), style})
  return {runs, width}
}

// --- Rows and the frame -------------------------------------------------------------------------------

interface Piece {
  x: number
  width: number
  runs: Run[]
}

/** A row from its pieces: cells of `width` start as plain spaces; cells past it that nothing wrote are dropped. */
function serialiseRow(pieces: Piece[] | undefined, width: number): string {
  if (pieces === undefined) return ''
  let ordered = pieces
  for (let index = 1; index < pieces.length; index++) {
    if ((pieces[index] as Piece).x < (pieces[index - 1] as Piece).x) {
      ordered = [...pieces].sort((a, b) => a.x - b.x)
      break
    }
  }
  for (let index = 1; index < ordered.length; index++) {
    const before = ordered[index - 1] as Piece
    if ((ordered[index] as Piece).x < before.x + before.width) return serialiseCells(pieces, width)
  }
  let output = ''
  let style = PLAIN
  let position = 0
  for (const piece of ordered) {
    const gap = Math.min(piece.x, width) - position
    if (gap > 0) {
      output += transition(style, PLAIN) + ' '.repeat(gap)
      style = PLAIN
    }
    for (const run of piece.runs) {
      output += transition(style, run.style) + run.text
      style = run.style
    }
    position = piece.x + piece.width
  }
  if (position < width) {
    output += transition(style, PLAIN) + ' '.repeat(width - position)
    style = PLAIN
  }
  return (output + transition(style, PLAIN)).trimEnd()
}

/** Pieces that overlap: the later write wins each cell, as in Ink's grid. */
function serialiseCells(pieces: Piece[], width: number): string {
  const extent = pieces.reduce((widest, piece) => Math.max(widest, piece.x + piece.width), width)
  const characters: (string | undefined)[] = new Array<string | undefined>(extent)
  const cellStyles: Style[] = new Array<Style>(extent)
  for (let x = 0; x < width; x++) {
    characters[x] = ' '
    cellStyles[x] = PLAIN
  }
  for (const piece of pieces) {
    let x = piece.x
    for (const run of piece.runs) {
      for (let index = 0; index < run.text.length; index++, x++) {
        characters[x] = run.text[index]
        cellStyles[x] = run.style
      }
    }
  }
  let output = ''
  let style = PLAIN
  for (let x = 0; x < extent; x++) {
    const character = characters[x]
    if (character === undefined) continue
    const next = cellStyles[x] as Style
    output += transition(style, next) + character
    style = next
  }
  return (output + transition(style, PLAIN)).trimEnd()
}

/**
 * The frame Ink's `Output.get` makes of these operations, or undefined when they hold something
 * this does not handle (the caller then uses Ink's own). Clips follow Ink: only the innermost
 * applies; a write wholly outside it is skipped, one across it keeps the lines inside.
 */
export function buildFrame(width: number, height: number, operations: readonly Operation[]): Frame | undefined {
  const rowCount = Math.max(0, Math.ceil(height))
  const columns = Math.max(0, Math.ceil(width))
  const rows: (Piece[] | undefined)[] = new Array<Piece[] | undefined>(rowCount)
  const clips: Clip[] = []
  for (const operation of operations) {
    if (operation.type === 'clip') {
      clips.push(operation.clip)
      continue
    }
    if (operation.type === 'unclip') {
      clips.pop()
      continue
    }
    let {y} = operation
    const {x, text, transformers} = operation
    if (!Number.isInteger(x) || x < 0) return undefined
    let lines = text.split('\n')
    const clip = clips.at(-1)
    if (clip !== undefined) {
      if (typeof clip.x1 === 'number' && typeof clip.x2 === 'number') return undefined
      if (typeof clip.y1 === 'number' && typeof clip.y2 === 'number') {
        const lineCount = lines.length
        if (y + lineCount < clip.y1 || y > clip.y2) continue
        const from = y < clip.y1 ? clip.y1 - y : 0
        const to = y + lineCount > clip.y2 ? clip.y2 - y : lineCount
        lines = lines.slice(from, to)
        if (y < clip.y1) y = clip.y1
      }
    }
    let offsetY = 0
    for (let index = 0; index < lines.length; index++) {
      const row = y + offsetY
      // As in Ink, a line with no row to land on is dropped, and so are the lines after it.
      if (!Number.isInteger(row) || row < 0 || row >= rowCount) continue
      let line = lines[index] as string
      for (const transformer of transformers) line = transformer(line, index)
      const parsed = parseLine(line)
      if (parsed === undefined) return undefined
      if (parsed.width > 0) (rows[row] ??= []).push({x, width: parsed.width, runs: parsed.runs})
      offsetY++
    }
  }
  let output = ''
  for (let row = 0; row < rowCount; row++) output += (row === 0 ? '' : '\n') + serialiseRow(rows[row], columns)
  return {output, height: rowCount}
}

// --- Installing it in Ink -------------------------------------------------------------------------

/** Ink's Output class as far as this module uses it. */
export interface InkOutput {
  width: number
  height: number
  write(x: number, y: number, text: string, options: {transformers: OutputTransformer[]}): void
  clip(clip: Clip): void
  unclip(): void
  get(): Frame
}
type InkOutputClass = (new (options: {width: number; height: number}) => InkOutput) & {prototype: InkOutput}

export type InstallResult = {installed: true} | {installed: false; reason: string}

const PATCHED = Symbol.for('steward.fastInkFrames')
let installing: Promise<InstallResult> | undefined

/**
 * Put `buildFrame` in place of Ink's `Output.get` (once a process; later calls answer the first
 * call's result). It refuses, leaving Ink as it is, when Ink is not version INK_VERSION, its
 * output module cannot be found, or a probe frame differs from Ink's own.
 */
export function installFastInkFrames(): Promise<InstallResult> {
  installing ??= install().catch((error: unknown) => ({installed: false as const, reason: `could not reach Ink's Output: ${String(error)}`}))
  return installing
}

/** Ink's Output class, reached by its file: Ink exports only its entry, whose renderer imports ./output.js. */
export async function loadInkOutput(): Promise<{Output: InkOutputClass; version: string}> {
  const entry = createRequire(import.meta.url).resolve('ink')
  const manifest = JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as {version?: unknown}
  const module = (await import(pathToFileURL(path.join(path.dirname(entry), 'output.js')).href)) as {default: InkOutputClass}
  return {Output: module.default, version: String(manifest.version)}
}

async function install(): Promise<InstallResult> {
  const {Output, version} = await loadInkOutput()
  if (version !== INK_VERSION) return {installed: false, reason: `Ink ${version}: written for ${INK_VERSION}`}
  const prototype = Output.prototype as InkOutput & {[PATCHED]?: true}
  if (prototype[PATCHED] === true) return {installed: true}
  const original = prototype.get
  if (typeof original !== 'function') return {installed: false, reason: 'Ink’s Output has no get()'}
  const mismatch = probeMismatch(Output, original)
  if (mismatch !== undefined) return {installed: false, reason: `a probe frame differs from Ink's: ${mismatch}`}
  prototype.get = function get(this: InkOutput & {operations: Operation[]}): Frame {
    return buildFrame(this.width, this.height, this.operations) ?? original.call(this)
  }
  prototype[PATCHED] = true
  return {installed: true}
}

/**
 * Frames on which Ink's own `get` and `buildFrame` must agree: every narrow symbol in a line, then
 * a mark where the line ends if each takes one cell and none joins the next (a wide one or a join
 * would move the end), every style parameter after every other and in reverse, gaps, overlaps, writes past the width, clips and multi-line text. Returns what
 * differs, or undefined.
 */
export function probeMismatch(Output: InkOutputClass, inkGet: (this: InkOutput) => Frame = Output.prototype.get): string | undefined {
  const symbols: string[] = []
  for (let code = 0xa0; code <= 0x2718; code++) if (isNarrowSymbol(code)) symbols.push(String.fromCharCode(code))
  const none = {transformers: []}
  const probes: Array<{width: number; height: number; draw(output: InkOutput): void}> = [
    {
      width: symbols.length + 1,
      height: 1,
      draw(output) {
        output.write(0, 0, symbols.join(''), none)
        output.write(symbols.length, 0, '|', none)
      },
    },
    {
      width: 120,
      height: 8,
      draw(output) {
        const parameters = [...END_OF.keys(), ...ENDS]
        const forward = parameters.map((next) => `\u001B[${next}m${next}`).join('')
        const backward = parameters.map((next) => `\u001B[${next}m${next}`).reverse().join('')
        ;['1', '2', '7', '32'].forEach((first, row) => {
          output.write(0, 2 * row, `\u001B[${first}m>${forward}<`, none)
          output.write(3, 2 * row + 1, `\u001B[${first};${parameters[(row + 7) % parameters.length]}m>${backward}`, none)
        })
      },
    },
    {
      width: 30,
      height: 8,
      draw(output) {
        const bold = (line: string) => `\u001B[1m${line}\u001B[22m`
        const numbered = (line: string, index: number) => `${index}:${line}`
        output.write(2, 0, 'abc', none)
        output.write(10, 0, '\u001B[7m› ▲ up\u001B[27m  ', none)
        output.write(4, 0, 'XY', {transformers: [bold]})
        output.write(28, 1, 'past the edge', none)
        output.write(40, 2, 'far off', none)
        output.clip({x1: undefined, x2: undefined, y1: 3, y2: 6})
        output.write(1, 2, 'a\nb\nc\nd\ne\nf', {transformers: [numbered, bold]})
        output.unclip()
        output.write(0, 7, '\u001B[32m▲\u001B[39m \u001B[2mdim\u001B[22m   ', none)
      },
    },
  ]
  for (const [index, probe] of probes.entries()) {
    const output = new Output({width: probe.width, height: probe.height})
    probe.draw(output)
    const theirs = inkGet.call(output)
    const ours = buildFrame(probe.width, probe.height, (output as unknown as {operations: Operation[]}).operations)
    if (ours === undefined) return `probe ${index + 1} not handled`
    if (ours.output !== theirs.output || ours.height !== theirs.height) return `probe ${index + 1}`
  }
  return undefined
}
