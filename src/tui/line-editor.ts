/** What keys do in the UI's one-line prompts, apart from drawing them. */
import type {Key} from 'ink'

export type LineEdit = {kind: 'edit'; value: string} | {kind: 'submit'} | {kind: 'cancel'} | undefined

/** Typing and backspace edit; enter submits; esc cancels; other control keys do nothing. */
export function editLine(value: string, input: string, key: Key): LineEdit {
  if (key.return) return {kind: 'submit'}
  if (key.escape) return {kind: 'cancel'}
  if (key.backspace || key.delete) return {kind: 'edit', value: value.slice(0, -1)}
  if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || input === '') return undefined
  return {kind: 'edit', value: value + input.replace(/[\r\n]+/g, ' ')}
}

/** A yes/no answer: only y says yes, so a stray key never changes anything; n, esc, enter or q say no. */
export function confirmAnswer(input: string, key: Key): boolean | undefined {
  if (input === 'y' || input === 'Y') return true
  if (input === 'n' || input === 'N' || input === 'q' || key.escape || key.return) return false
  return undefined
}
