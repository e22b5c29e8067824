import {describe, expect, it} from 'vitest'
import {LocalDispatcher, type RpcEndpoint} from './local-dispatcher.js'
import type {RequestHeader} from './protocol.js'

const endpoint = (server: string, dispatch: RpcEndpoint['dispatch'] = async () => server): RpcEndpoint => ({topic: 'share', server, version: '1.2', dispatch})
const header = (fields: Partial<RequestHeader> = {}): RequestHeader => ({topic: 'share', method: 'echo', ctx: {requestId: 'req-1', caller: 'test'}, ...fields})

describe('LocalDispatcher', () => {
  it('says whether a topic, or one service host of it, listens here', () => {
    const dispatcher = new LocalDispatcher()
    expect(dispatcher.has('share')).toBe(false)
    const stop = dispatcher.listen(endpoint('node1'))
    dispatcher.listen(endpoint('node1@backend'))
    expect([dispatcher.has('share'), dispatcher.has('share', 'node1@backend'), dispatcher.has('share', 'node2'), dispatcher.has('other')]).toEqual([true, true, false, false])
    stop()
    expect(dispatcher.has('share', 'node1')).toBe(false)
  })

  it('delivers to the named service host, or round-robin without one', async () => {
    const dispatcher = new LocalDispatcher()
    dispatcher.listen(endpoint('node1'))
    dispatcher.listen(endpoint('node1@backend'))
    expect(await dispatcher.deliver(header({server: 'node1@backend'}), {})).toBe('node1@backend')
    expect([await dispatcher.deliver(header(), {}), await dispatcher.deliver(header(), {})].sort()).toEqual(['node1', 'node1@backend'])
  })

  it('rejects rather than throws: no service, an unsupported version, a dispatch that throws', async () => {
    const dispatcher = new LocalDispatcher()
    const none = dispatcher.deliver(header(), {})
    await expect(none).rejects.toMatchObject({code: 'NO_SERVICE_AVAILABLE'})
    dispatcher.listen(
      endpoint('node1', () => {
        throw new Error('sync failure')
      }),
    )
    await expect(dispatcher.deliver(header({version: '1.3'}), {})).rejects.toMatchObject({code: 'UNSUPPORTED_VERSION', data: {served: '1.2', requested: '1.3'}})
    await expect(dispatcher.deliver(header({server: 'node1'}), {})).rejects.toThrow('sync failure')
  })
})
