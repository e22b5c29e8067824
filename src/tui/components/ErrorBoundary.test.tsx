import {Text} from 'ink'
import {cleanup, render} from 'ink-testing-library'
import {afterEach, expect, test, vi} from 'vitest'
import type {MonitorModel} from '../../monitor/telemetry.js'
import {press} from '../../../test/helpers/ink.js'
import {FakeActions, FakeSource, twoHostModel} from '../../../test/helpers/monitor-model.js'
import {App} from './App.js'
import {ErrorBoundary} from './ErrorBoundary.js'

afterEach(() => {
  cleanup()
  vi.restoreAllMocks()
})

function Broken(): never {
  throw new Error('the widget fell over')
}

test('an error while drawing shows a message and a way out, and is reported', () => {
  // React logs caught errors to the console; keep the test output clean.
  vi.spyOn(console, 'error').mockImplementation(() => undefined)
  const errors: Error[] = []
  const {lastFrame} = render(
    <ErrorBoundary onError={(error) => errors.push(error)}>
      <Broken />
    </ErrorBoundary>,
  )
  expect(lastFrame()).toContain('The monitor hit an error and stopped drawing.')
  expect(lastFrame()).toContain('the widget fell over')
  expect(lastFrame()).toContain('Press q to quit')
  expect(errors.map((error) => error.message)).toEqual(['the widget fell over'])
})

test('without an error it draws its children', () => {
  const {lastFrame} = render(
    <ErrorBoundary>
      <Text>fine</Text>
    </ErrorBoundary>,
  )
  expect(lastFrame()).toBe('fine')
})

test('a model the dashboard cannot draw ends in the boundary, not a dead terminal; q still quits', async () => {
  vi.spyOn(console, 'error').mockImplementation(() => undefined)
  const source = new FakeSource()
  const errors: Error[] = []
  const {lastFrame, stdin} = render(<App source={source} actions={new FakeActions()} size={{columns: 80, rows: 24}} onError={(error) => errors.push(error)} />)
  expect(lastFrame()).toContain('steward-share')
  source.emit({...twoHostModel(), services: undefined} as unknown as MonitorModel)
  await press(stdin)
  expect(lastFrame()).toContain('The monitor hit an error')
  expect(errors).toHaveLength(1)
  await press(stdin, 'q')
  // The boundary's screen stays until the app exits; the source is let go.
  expect(source.subscribers).toBe(0)
})
