/** Columns that fit the terminal: the most important are kept, the rest dropped, then widened. */

/** How a cell is coloured; each tone also has a symbol or word, so nothing relies on colour. */
export type Tone = 'good' | 'warn' | 'bad' | 'muted'

export const TONE_COLOURS: Record<Tone, string> = {good: 'green', warn: 'yellow', bad: 'red', muted: 'gray'}

export interface Column<Row> {
  id: string
  title: string
  /** Width wanted. */
  width: number
  /** Width below which the column is dropped rather than truncated. @default width */
  minWidth?: number
  /** Lower is kept longer when the terminal is narrow. */
  priority: number
  align?: 'left' | 'right'
  /** Which end a value too long loses. @default 'end' */
  cut?: 'end' | 'start'
  value(row: Row): string
  /** What sorting compares; null sorts last. @default value(row) */
  sortValue?(row: Row): string | number | null
  tone?(row: Row): Tone | undefined
  /**
   * Its values seldom change and are few (names, status): a row may draw a run of such columns as
   * one Text, whose text repeats from paint to paint. @default false
   */
  steady?: boolean
}

export interface FittedColumn<Row> {
  column: Column<Row>
  width: number
}

/**
 * Choose the columns that fit in `totalWidth` (cells separated by `gap` spaces). By priority,
 * each column takes its wanted width if that fits, else its minimum width if that fits, else it is
 * dropped; what is left then widens the narrowed ones, by priority. The result keeps the columns'
 * order.
 */
export function fitColumns<Row>(columns: readonly Column<Row>[], totalWidth: number, gap = 1): FittedColumn<Row>[] {
  const byPriority = [...columns].sort((a, b) => a.priority - b.priority)
  const chosen = new Map<Column<Row>, number>()
  let used = 0
  for (const column of byPriority) {
    const separator = chosen.size > 0 ? gap : 0
    const width = [column.width, column.minWidth ?? column.width].find((candidate) => used + separator + candidate <= totalWidth)
    if (width === undefined) continue
    chosen.set(column, width)
    used += separator + width
  }
  let spare = totalWidth - used
  for (const column of byPriority) {
    const width = chosen.get(column)
    if (width === undefined || spare <= 0) continue
    const grow = Math.min(column.width - width, spare)
    chosen.set(column, width + grow)
    spare -= grow
  }
  return columns.filter((column) => chosen.has(column)).map((column) => ({column, width: chosen.get(column) ?? column.width}))
}

// One collator for every comparison: localeCompare with options builds one per call, which
// showed as the largest cost of a paint with 1,000 services.
const collator = new Intl.Collator(undefined, {numeric: true})

/** Compare two sort values: numbers and strings in order, null last. */
export function compareSortValues(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0
  if (a === null) return 1
  if (b === null) return -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return collator.compare(String(a), String(b))
}
