import {Box, Text} from 'ink'
import {cleanup, render} from 'ink-testing-library'
import {afterEach, expect, test, vi} from 'vitest'
import {isNarrowSymbol} from '../ink-frame.js'
import {SymbolText} from './SymbolText.js'

vi.hoisted(() => {
  process.env.FORCE_COLOR = '1'
})

afterEach(() => cleanup())

test('draws what a plain Text draws: symbols, colours, styles, and what follows in its place', () => {
  const parts = [{text: '› '}, {text: 'steward-share  enabled'}, {text: ' ▲ up', color: 'green'}, {text: ' · 3 services', dimColor: true}]
  const plain = render(
    <Box>
      <Text wrap="truncate" inverse bold>
        {'› '}
        {'steward-share  enabled'}
        <Text color="green"> ▲ up</Text>
        <Text dimColor> · 3 services</Text>
      </Text>
      <Text>|</Text>
    </Box>,
  ).lastFrame()
  const symbols = render(
    <Box>
      <SymbolText parts={parts} inverse bold />
      <Text>|</Text>
    </Box>,
  ).lastFrame()
  expect(symbols).toContain('\u001B[32m')
  expect(symbols).toBe(plain)
})

test('parts in their own styles draw as nested Texts do', () => {
  const plain = render(
    <Text wrap="truncate">
      <Text bold>steward </Text>
      <Text inverse>[1 Services]</Text>
      <Text underline>BINARY▲</Text>
      <Text dimColor> 5 hosts · 9 services ·</Text>
    </Text>,
  ).lastFrame()
  const symbols = render(<SymbolText parts={[{text: 'steward ', bold: true}, {text: '[1 Services]', inverse: true}, {text: 'BINARY▲', underline: true}, {text: ' 5 hosts · 9 services ·', dimColor: true}]} />).lastFrame()
  expect(symbols).toBe(plain)
})

test('a line that may be cut keeps its symbols when it is cut, with standIns off', () => {
  const {lastFrame} = render(
    <Box width={12}>
      <SymbolText parts={[{text: 'j/k ↓/↑ move and more'}]} standIns={false} />
    </Box>,
  )
  expect(lastFrame()).toBe('j/k ↓/↑ mov…')
})

test('Ink lays out every narrow symbol one column wide, as its stand-in', () => {
  const symbols: string[] = []
  for (let code = 0; code <= 0xffff; code++) if (isNarrowSymbol(code)) symbols.push(String.fromCharCode(code))
  // A line of 100 symbols, then a mark: the mark lands after the 100th column only if Ink
  // measured each symbol one column wide (a width of 0 or 2 would move it).
  for (let from = 0; from < symbols.length; from += 100) {
    const line = symbols.slice(from, from + 100).join('')
    const {lastFrame} = render(
      <Box width={line.length + 1}>
        <Text>{line}</Text>
        <Text>|</Text>
      </Box>,
    )
    expect(lastFrame()).toBe(`${line}|`)
  }
})

test('text with other characters is drawn as a plain Text', () => {
  const {lastFrame} = render(<SymbolText parts={[{text: '▲ 日本'}]} />)
  expect(lastFrame()).toBe('▲ 日本')
})
