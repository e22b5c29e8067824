import {MessageChannel} from 'node:worker_threads'
import {afterEach, describe, expect, it} from 'vitest'
import {StewardError, isStewardError} from '../errors/index.js'
import {PortRpc} from './port-rpc.js'

const channels: MessageChannel[] = []
afterEach(() => {
  for (const channel of channels.splice(0)) {
    channel.port1.close()
    channel.port2.close()
  }
})

function pair(): [PortRpc, PortRpc] {
  const channel = new MessageChannel()
  channels.push(channel)
  return [new PortRpc(channel.port1), new PortRpc(channel.port2)]
}

describe('PortRpc', () => {
  it('answers requests both ways, and delivers notes', async () => {
    const [host, worker] = pair()
    worker.handle('double', (value) => (value as number) * 2)
    host.handle('greet', async (name) => `hello ${name as string}`)
    const notes: unknown[] = []
    const noted = new Promise<void>((resolve) => host.onNote('log', (note) => resolve(void notes.push(note))))
    expect(await host.request('double', 21)).toBe(42)
    expect(await worker.request('greet', 'host')).toBe('hello host')
    worker.note('log', {line: 1})
    await noted
    expect(notes).toEqual([{line: 1}])
    expect(host.pendingCount).toBe(0)
  })

  it('rebuilds a steward error with its code, data and suggestions, and keeps a plugin error\'s code', async () => {
    const [host, worker] = pair()
    worker.handle('steward', () => {
      throw new StewardError('DRIVER_NOT_FOUND', 'no driver x', {data: {driver: 'x'}, suggestions: ['Run steward drivers.']})
    })
    worker.handle('plugin', () => {
      throw Object.assign(new Error('the backend is full'), {name: 'BackendError', code: 'BACKEND_FULL', data: {free: 0}})
    })
    const steward = await host.request('steward').catch((error: unknown) => error)
    expect(isStewardError(steward, 'DRIVER_NOT_FOUND')).toBe(true)
    expect(steward).toMatchObject({message: 'no driver x', data: {driver: 'x'}, suggestions: ['Run steward drivers.']})
    expect(await host.request('plugin').catch((error: unknown) => error)).toMatchObject({name: 'RemoteError', remoteName: 'BackendError', code: 'BACKEND_FULL', data: {free: 0}})
    expect(await host.request('missing').catch((error: unknown) => error)).toMatchObject({code: 'PROTOCOL_ERROR'})
  })

  it('sends what the structured clone refuses as JSON would, and fails only a value JSON cannot encode', async () => {
    const [host, worker] = pair()
    worker.handle('with-function', () => ({size: 3, describe: () => 'a function'}))
    worker.handle('echo', (value) => value)
    expect(await host.request('with-function')).toEqual({size: 3})
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown
    expect(await host.request('echo', deep).catch((error: unknown) => error)).toMatchObject({code: 'REMOTE_ERROR', message: expect.stringMatching(/could not be encoded as JSON/) as string})
    expect(await host.request('echo', 'still fine')).toBe('still fine')
  })

  it('rejects pending and later requests once closed', async () => {
    const [host] = pair()
    const pending = host.request('never-answered')
    host.close(new StewardError('GENERATION_CRASHED', 'the worker died'))
    await expect(pending).rejects.toMatchObject({code: 'GENERATION_CRASHED'})
    await expect(host.request('later')).rejects.toMatchObject({code: 'GENERATION_CRASHED'})
  })
})
