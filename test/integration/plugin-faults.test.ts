/**
 * Faults in plugin code stay in their generation: a busy loop, an uncaught error, process.exit.
 * Real host processes, real worker threads; the `faulty` manager of the reloadable fixture
 * misbehaves on demand (or, with `"faulty": {"fault": "spin"}`, loops in a periodic task).
 */
import {afterEach, describe, expect, it} from 'vitest'
import {reloadTestDir} from '../helpers/generation-hosts.js'
import {callJson, startHost} from '../helpers/rpc-hosts.js'
import {eventually, killLeftovers, runJson} from '../helpers/steward-process.js'

afterEach(killLeftovers)

interface ServiceRow {
  host: string
  binary: string
  state: string
}

async function serviceState(dir: string, binary: string): Promise<string | undefined> {
  const rows = await runJson<ServiceRow[]>(['services', 'list'], {cwd: dir})
  return rows.find((row) => row.binary === binary)?.state
}

describe('a plugin that misbehaves', () => {
  it('in a busy loop: its service reads down and is replaced, while the host and its other service answer', async () => {
    const {dir} = await reloadTestDir({service_down_time: 2, faulty: {fault: 'spin'}})
    const host = await startHost(dir, 'A', ['reloadable', 'faulty'])

    await host.waitForOutput(/did not answer within \d+ ms \(a busy loop\?\)\. Replacing it\./)
    await eventually(async () => ((await serviceState(dir, 'steward-faulty')) === 'down' ? true : undefined), 'steward-faulty to read down')
    // Each replacement runs the task again and hangs again: the service stays down, then errored.
    await host.waitForOutput(/unstable starts in a row, the service is marked errored/)
    expect(await serviceState(dir, 'steward-faulty')).toBe('down')

    // The other service of the same host stays up and answers; so do the host's own commands.
    expect(await serviceState(dir, 'steward-reloadable')).toBe('up')
    expect((await callJson(dir, 'reloadable', 'label', {}, '--server', 'A')).result).toBe('v1-a-light')
    const status = await callJson<{services: Array<{topic: string; generation: {state: string}}>}>(dir, 'host', 'status', {}, '--server', 'A')
    expect(status.code).toBe(0)
    expect(status.result!.services.map((service) => service.topic).sort()).toEqual(['faulty', 'reloadable'])
    const hosts = await runJson<Array<{name: string; state: string}>>(['hosts'], {cwd: dir})
    expect(hosts).toEqual([expect.objectContaining({name: 'A', state: 'up'})])
  })

  it('with an uncaught error or process.exit: the generation is replaced and the next call is answered', async () => {
    const {dir} = await reloadTestDir()
    const host = await startHost(dir, 'A', ['faulty'])

    expect((await callJson(dir, 'faulty', 'crash')).result).toBe('crashing')
    await host.waitForOutput(/generation 1 died: [^\n]*faulty crashed on purpose; replacing it in \d+ ms/)
    await host.waitForOutput(/reloaded: generation 2 serves \(replacing generation 1 that died/)
    expect((await callJson(dir, 'faulty', 'ping')).result).toBe('pong')

    expect((await callJson(dir, 'faulty', 'exit', {code: 7})).result).toBe('exiting')
    await host.waitForOutput(/generation 2 died: [^\n]*exited with code 7; replacing it in \d+ ms/)
    await host.waitForOutput(/reloaded: generation 3 serves/)
    expect((await callJson(dir, 'faulty', 'ping')).result).toBe('pong')
  })

  it('that keeps crashing: restarted with growing delays, then marked errored, and calls fail fast', async () => {
    const {dir} = await reloadTestDir()
    const host = await startHost(dir, 'A', ['faulty'])
    // Five unstable starts in a row mark the service errored, after 500, 1000, 2000, 4000 ms delays.
    for (let generation = 1; generation <= 5; generation++) {
      await host.waitForOutput(new RegExp(`reloaded: generation ${generation} serves|host A running`))
      expect((await callJson(dir, 'faulty', 'exit', {code: 9})).result).toBe('exiting')
      await host.waitForOutput(new RegExp(`generation ${generation} died`))
    }
    expect(host.output).toMatch(/replacing it in 500 ms[\s\S]*replacing it in 1000 ms[\s\S]*replacing it in 2000 ms[\s\S]*replacing it in 4000 ms/)
    await host.waitForOutput(/5 unstable starts in a row, the service is marked errored/)

    const failed = await callJson(dir, 'faulty', 'ping', {}, '--server', 'A')
    expect(failed.code).not.toBe(0)
    expect(failed.error?.code).toBe('GENERATION_FAILED')

    // A reload by hand brings it back.
    const reloaded = await runJson<{generation: {state: string; generation: number}}>(['services', 'reload', 'faulty', '--host', 'A'], {cwd: dir})
    expect(reloaded.generation).toMatchObject({state: 'serving', generation: 6})
    expect((await callJson(dir, 'faulty', 'ping')).result).toBe('pong')
  })
})
