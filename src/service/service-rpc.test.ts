import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {makeHarness, rejectionCode, removeTempDirs, TEST_PLUGIN, type Harness, type HarnessOptions} from '../../test/helpers/service-harness.js'
import {Manager} from '../manager/manager.js'
import {createContext, type RequestContext} from '../rpc/context.js'

const received: Array<{host: string; ctx: RequestContext; args: Record<string, unknown>}> = []

class EchoManager extends Manager {
  static override rpcApiVersion = '1.3'
  static override rpcMethods = ['echo', 'whoami', 'fail']

  echo(ctx: RequestContext, args: Record<string, unknown>): {args: Record<string, unknown>; requestId: string} {
    received.push({host: this.host, ctx, args})
    return {args, requestId: ctx.requestId}
  }

  whoami(): string {
    return this.host
  }

  async fail(): Promise<never> {
    throw new RangeError('out of range')
  }

  undeclared(): string {
    return 'should not be reachable'
  }

  _private(): string {
    return 'should not be reachable'
  }
}

let harness: Harness | undefined
afterEach(async () => {
  await harness?.stopAll()
  harness = undefined
  received.length = 0
})
afterAll(removeTempDirs)

async function startEcho(options: Partial<HarnessOptions> = {}, hosts = ['test-host']): Promise<Harness> {
  harness = makeHarness({managers: {share: EchoManager}, ...options})
  for (const host of hosts) await harness.create({topic: 'share', host}).start()
  return harness
}

const ctx = (): RequestContext => createContext('caller-host', Date.now() + 60_000)

describe('RPC dispatch to a service', () => {
  it('delivers a declared method with its context and arguments', async () => {
    const {rpc} = await startEcho()
    const context = ctx()
    const args = {share: 'abc', size: 10, nested: {tags: ['x']}}
    expect(await rpc.prepare({topic: 'share'}).call(context, 'echo', args)).toEqual({args, requestId: context.requestId})
    expect(received).toHaveLength(1)
    expect(received[0]!.ctx).toEqual(context)
    expect(received[0]!.args).toEqual(args)
  })

  it('gives an empty argument object when none is sent', async () => {
    const {rpc} = await startEcho()
    await rpc.prepare({topic: 'share'}).call(ctx(), 'echo')
    expect(received[0]!.args).toEqual({})
  })

  it('refuses undeclared, private, lifecycle and Object methods with NO_SUCH_METHOD', async () => {
    const {rpc} = await startEcho()
    for (const method of ['undeclared', '_private', 'initHost', 'initHostWithRpc', 'cleanupHost', 'isServiceReady', 'constructor', 'toString', '__proto__', 'nothing']) {
      const error = await rpc.prepare({topic: 'share'}).call(ctx(), method).catch((failure: unknown) => failure)
      expect(error, method).toMatchObject({code: 'NO_SUCH_METHOD', data: {topic: 'share', server: 'test-host', method}})
    }
  })

  it('answers the base methods serviceVersion and serviceConfig', async () => {
    const {rpc} = await startEcho({env: {STEWARD_SHARE__DRIVER: 'lvm', STEWARD_SHARE__POOL_SIZE: '4'}})
    expect(await rpc.prepare({topic: 'share'}).call(ctx(), 'serviceVersion')).toBe(TEST_PLUGIN.version)
    expect(await rpc.prepare({topic: 'share'}).call(ctx(), 'serviceConfig')).toEqual({driver: 'lvm', pool_size: 4})
  })

  it('rejects with what the method threw', async () => {
    const {rpc} = await startEcho()
    await expect(rpc.prepare({topic: 'share'}).call(ctx(), 'fail')).rejects.toThrow(RangeError)
  })

  it('reaches one host with topic.host, round-robins over topic, and fans a cast out to all', async () => {
    const {rpc} = await startEcho({}, ['h1', 'h2'])
    expect(await rpc.prepare({topic: 'share', server: 'h2'}).call(ctx(), 'whoami')).toBe('h2')
    expect(await rpc.prepare({topic: 'share', server: 'h2'}).call(ctx(), 'whoami')).toBe('h2')
    const answers = [await rpc.prepare({topic: 'share'}).call(ctx(), 'whoami'), await rpc.prepare({topic: 'share'}).call(ctx(), 'whoami')]
    expect(answers.sort()).toEqual(['h1', 'h2'])
    await rpc.prepare({topic: 'share', fanout: true}).cast(ctx(), 'echo', {n: 1})
    expect(received.map((entry) => entry.host).sort()).toEqual(['h1', 'h2'])
    expect(await rejectionCode(rpc.prepare({topic: 'share', server: 'h3'}).call(ctx(), 'whoami'))).toBe('NO_SERVICE_AVAILABLE')
  })

  it('still answers while the service is disabled', async () => {
    const {rpc, store} = await startEcho({flags: {enable_new_services: false}})
    expect((await store.listServices())[0]!.disabled).toBe(true)
    expect(await rpc.prepare({topic: 'share'}).call(ctx(), 'whoami')).toBe('test-host')
  })
})
