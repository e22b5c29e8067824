/** Where a service's manager runs: a worker thread per generation, or the host's thread. */
import {afterEach, describe, expect, it} from 'vitest'
import {reloadTestDir} from '../helpers/generation-hosts.js'
import {callJson, startHost} from '../helpers/rpc-hosts.js'
import {killLeftovers} from '../helpers/steward-process.js'

afterEach(killLeftovers)

interface HostStatus {
  host: string
  services: Array<{topic: string; state: string; generation: {state: string; generation: number; reloads: number; pluginDirs: string[]}}>
}

describe('plugin_isolation', () => {
  it('runs each generation in a worker thread by default, and a reload in a new one', async () => {
    const {dir, pluginDir} = await reloadTestDir()
    await startHost(dir, 'W', ['reloadable'])
    const first = (await callJson<number>(dir, 'reloadable', 'threadId')).result
    expect(first).toBeGreaterThan(0)

    const {result: reloaded} = await callJson<HostStatus['services'][number]>(dir, 'host', 'reload_service', {topic: 'reloadable'}, '--server', 'W')
    expect(reloaded!.generation).toMatchObject({state: 'serving', generation: 2, reloads: 1, pluginDirs: [pluginDir]})
    const second = (await callJson<number>(dir, 'reloadable', 'threadId')).result
    expect(second).toBeGreaterThan(0)
    expect(second).not.toBe(first)
  })

  it('runs managers in the host thread with "inline"', async () => {
    const {dir} = await reloadTestDir({plugin_isolation: 'inline'})
    await startHost(dir, 'I', ['reloadable'])
    expect((await callJson(dir, 'reloadable', 'threadId')).result).toBe(0)
    expect((await callJson(dir, 'reloadable', 'label')).result).toBe('v1-a-light')
    const {result: status} = await callJson<HostStatus>(dir, 'host', 'status', {}, '--server', 'I')
    expect(status!.services).toEqual([expect.objectContaining({topic: 'reloadable', state: 'running', generation: expect.objectContaining({state: 'serving', generation: 1}) as unknown})])
  })
})
