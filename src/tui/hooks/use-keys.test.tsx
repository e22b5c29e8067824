import {Text} from 'ink'
import {cleanup, render} from 'ink-testing-library'
import {useState} from 'react'
import {afterEach, expect, test} from 'vitest'
import {press} from '../../../test/helpers/ink.js'
import {useKeys} from './use-keys.js'

afterEach(() => cleanup())

function Recorder() {
  const [seen, setSeen] = useState<string[]>([])
  useKeys((input, key) => setSeen((previous) => [...previous, key.return ? '⏎' : key.tab ? '⇥' : key.backspace ? '⌫' : `${input}${key.shift ? '⇧' : ''}`]))
  return <Text>{seen.join(' ')}</Text>
}

test('keys that arrive together are taken one by one, each its own key', async () => {
  const {stdin, lastFrame} = render(<Recorder />)
  await press(stdin, 'jjG', 'k')
  expect(lastFrame()).toBe('j j G⇧ k')
  await press(stdin, 'ab\r', '\t\t', 'x\u007F')
  expect(lastFrame()).toBe('j j G⇧ k a b ⏎ ⇥ ⇥ x ⌫')
})
