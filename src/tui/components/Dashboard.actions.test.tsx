import {cleanup, render} from 'ink-testing-library'
import {afterEach, describe, expect, test} from 'vitest'
import {StewardError} from '../../errors/index.js'
import {KEYS, press, type} from '../../../test/helpers/ink.js'
import {FakeActions, FakeSource} from '../../../test/helpers/monitor-model.js'
import {App} from './App.js'

afterEach(() => cleanup())

/** The app on the two-host model, with the selection moved to `steps` rows below the first. */
async function start(steps = 0) {
  const actions = new FakeActions()
  const app = render(<App source={new FakeSource()} actions={actions} size={{columns: 100, rows: 30}} />)
  await press(app.stdin, ...Array.from({length: steps}, () => 'j'))
  const frame = () => app.lastFrame() ?? ''
  return {...app, actions, frame}
}

describe('actions by key, confirmed', () => {
  test('e asks, then y enables the selected service', async () => {
    const {stdin, actions, frame} = await start(3)
    await press(stdin, 'e')
    expect(frame()).toContain('? Enable steward-share on node2@lvm? [y/N]')
    expect(actions.calls).toEqual([])
    await press(stdin, 'y')
    expect(actions.calls).toEqual([{action: 'enable', args: ['node2@lvm', 'steward-share']}])
    expect(frame()).toContain('✔ Enabled steward-share on node2@lvm.')
  })

  test('n, esc or any other answer but y changes nothing', async () => {
    const {stdin, actions, frame} = await start()
    await press(stdin, 'e', 'n')
    expect(frame()).toContain('Cancelled.')
    await press(stdin, 'r', KEYS.escape)
    await press(stdin, 'R', KEYS.enter)
    expect(actions.calls).toEqual([])
  })

  test('d asks a reason in a text input, then confirms, then disables with it', async () => {
    const {stdin, actions, frame} = await start(1)
    await press(stdin, 'd')
    expect(frame()).toContain('Disable steward-share on node1; reason (enter; esc cancels):')
    await type(stdin, 'disk  replacementX')
    await press(stdin, KEYS.backspace)
    expect(frame()).toContain('reason (enter; esc cancels): disk  replacement')
    // Keys that would act elsewhere are text here.
    expect(actions.calls).toEqual([])
    await press(stdin, KEYS.enter)
    expect(frame()).toContain('? Disable steward-share on node1 (disk  replacement)? [y/N]')
    await press(stdin, 'y')
    expect(actions.calls).toEqual([{action: 'disable', args: ['node1', 'steward-share', 'disk  replacement']}])
    expect(frame()).toContain('✔ Disabled steward-share on node1.')
  })

  test('esc in the reason input cancels the disable', async () => {
    const {stdin, actions, frame} = await start()
    await press(stdin, 'd')
    await type(stdin, 'oops')
    await press(stdin, KEYS.escape)
    expect(frame()).not.toContain('reason (enter')
    expect(actions.calls).toEqual([])
  })

  test('r reloads the plugin of the service through its host process; the outcome shows', async () => {
    const {stdin, actions, frame} = await start(3)
    await press(stdin, 'r')
    expect(frame()).toContain('? Reload the plugin code of steward-share on node2@lvm? [y/N]')
    await press(stdin, 'y')
    // The host topic belongs to the process: node2, not node2@lvm.
    expect(actions.calls).toEqual([{action: 'reload', args: ['node2', 'share']}])
    expect(frame()).toContain('✔ Reloaded steward-share on node2: generation 4 serves (130ms).')
  })

  test('a reload that failed says so, and that the old generation keeps serving', async () => {
    const {stdin, actions, frame} = await start()
    actions.reloadOk = false
    await press(stdin, 'r', 'y')
    expect(frame()).toContain('✖ Reload of steward-scheduler failed: SyntaxError: Unexpected token; generation 4 keeps serving.')
  })

  test('R restarts the generation', async () => {
    const {stdin, actions, frame} = await start(1)
    await press(stdin, 'R')
    expect(frame()).toContain('? Restart the generation of steward-share on node1? [y/N]')
    await press(stdin, 'Y')
    expect(actions.calls).toEqual([{action: 'restart', args: ['node1', 'share']}])
    expect(frame()).toContain('✔ Restarted steward-share on node1')
  })

  test('an action that fails shows its code and message', async () => {
    const {stdin, actions, frame} = await start()
    actions.fail = new StewardError('SERVICE_NOT_FOUND', 'No service steward-scheduler on host node1.')
    await press(stdin, 'e', 'y')
    expect(frame()).toContain('✖ SERVICE_NOT_FOUND: No service steward-scheduler on host node1.')
  })

  test('c calls a method with JSON arguments and shows the result', async () => {
    const {stdin, actions, frame} = await start(3)
    actions.callResult = {extended: true, size: 20}
    await press(stdin, 'c')
    expect(frame()).toContain('Call share.node2@lvm; method:')
    await press(stdin, KEYS.enter)
    expect(frame()).toContain('✖ name a method')
    await type(stdin, 'extend')
    await press(stdin, KEYS.enter)
    expect(frame()).toContain('extend arguments (JSON object): {}')
    await press(stdin, KEYS.backspace, KEYS.backspace)
    await type(stdin, '{"size": 20')
    await press(stdin, KEYS.enter)
    expect(frame()).toContain('✖ not JSON')
    expect(actions.calls).toEqual([])
    await type(stdin, '}')
    await press(stdin, KEYS.enter)
    expect(actions.calls).toEqual([{action: 'call', args: ['share', 'node2@lvm', 'extend', {size: 20}]}])
    expect(frame()).toContain('✔ share.node2@lvm extend')
    expect(frame()).toContain('"extended": true,')
    expect(frame()).toContain('"size": 20')
    await press(stdin, KEYS.escape)
    expect(frame()).not.toContain('"extended": true,')
    expect(frame()).toContain('steward-share')
  })

  test('a call that fails shows the error in the result panel; arrays are refused as arguments', async () => {
    const {stdin, actions, frame} = await start()
    await press(stdin, 'c')
    await type(stdin, 'latest')
    await press(stdin, KEYS.enter, KEYS.backspace, KEYS.backspace)
    await type(stdin, '[1]')
    await press(stdin, KEYS.enter)
    expect(frame()).toContain('arguments must be a JSON object')
    await press(stdin, KEYS.backspace, KEYS.backspace, KEYS.backspace)
    actions.fail = new StewardError('NO_SUCH_METHOD', 'scheduler has no method "latest".')
    await press(stdin, KEYS.enter)
    expect(actions.calls).toEqual([{action: 'call', args: ['scheduler', 'node1', 'latest', {}]}])
    expect(frame()).toContain('✖ scheduler.node1 latest')
    expect(frame()).toContain('NO_SUCH_METHOD: scheduler has no method "latest".')
  })

  test('actions work from the detail view too, and not from hosts or logs', async () => {
    const {stdin, actions} = await start()
    await press(stdin, KEYS.enter, 'e', 'y')
    expect(actions.calls).toEqual([{action: 'enable', args: ['node1', 'steward-scheduler']}])
    await press(stdin, '3', 'e', 'y', '4', 'r', 'y')
    expect(actions.calls).toHaveLength(1)
  })
})
