import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, test} from 'vitest'
import {loadConfig} from '../config/load-config.js'
import type {PrepareOptions, RpcClient} from '../rpc/context.js'
import {HOST_TOPIC} from '../rpc/target-resolver.js'
import {openStore} from '../store/index.js'
import {createMonitorActions} from './actions.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true})
})

async function setUp() {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-tui-actions-'))
  dirs.push(stateDir)
  const config = loadConfig({cwd: stateDir, env: {}, flags: {state_dir: stateDir, host: 'monitor-test'}})
  const store = await openStore({stateDir, create: true})
  await store.findOrCreateService({host: 'node1', binary: 'steward-share', topic: 'share', zone: 'nova', disabled: false})
  await store.close()
  const read = async () => {
    const reader = await openStore({stateDir})
    try {
      const [record] = await reader.listServices({host: 'node1', binary: 'steward-share'})
      return record
    } finally {
      await reader.close()
    }
  }
  return {config, read}
}

/** An RPC client that records what it is asked and answers `answer`. */
function recordingClient(answer: unknown) {
  const sent: Array<{target: PrepareOptions; method: string; args: Record<string, unknown> | undefined; caller: string}> = []
  const client: RpcClient = {
    prepare: (target) => ({
      call: async (ctx, method, args) => {
        sent.push({target, method, args, caller: ctx.caller})
        return answer
      },
      cast: async () => {},
      canSendVersion: () => true,
    }),
  }
  return {client, sent}
}

describe('createMonitorActions', () => {
  test('disable with a reason and enable again go through the state store', async () => {
    const {config, read} = await setUp()
    const actions = createMonitorActions(config)
    await actions.disable('node1', 'steward-share', '  disk replacement ')
    expect(await read()).toMatchObject({disabled: true, disabledReason: 'disk replacement'})
    await actions.enable('node1', 'steward-share')
    expect(await read()).toMatchObject({disabled: false, disabledReason: null})
    await actions.disable('node1', 'steward-share', '')
    expect(await read()).toMatchObject({disabled: true, disabledReason: null})
  })

  test('an unknown service is SERVICE_NOT_FOUND, a reason too long SERVICE_REASON_INVALID', async () => {
    const {config} = await setUp()
    const actions = createMonitorActions(config)
    await expect(actions.enable('node9', 'steward-share')).rejects.toMatchObject({code: 'SERVICE_NOT_FOUND'})
    await expect(actions.disable('node1', 'steward-share', 'x'.repeat(256))).rejects.toMatchObject({code: 'SERVICE_REASON_INVALID'})
  })

  test('reload and restart ask the host topic; call reaches topic.server with the arguments', async () => {
    const {config} = await setUp()
    const {client, sent} = recordingClient({ok: true})
    const actions = createMonitorActions(config, {rpc: client})
    await actions.reload('node1', 'share')
    await actions.restart('node1', 'share')
    expect(await actions.call('share', 'node1@lvm', 'extend', {size: 20})).toEqual({ok: true})
    expect(sent).toEqual([
      {target: {topic: HOST_TOPIC, server: 'node1'}, method: 'reload_service', args: {topic: 'share'}, caller: 'monitor@monitor-test'},
      {target: {topic: HOST_TOPIC, server: 'node1'}, method: 'reload_service', args: {topic: 'share', trigger: 'restart'}, caller: 'monitor@monitor-test'},
      {target: {topic: 'share', server: 'node1@lvm'}, method: 'extend', args: {size: 20}, caller: 'monitor@monitor-test'},
    ])
  })
})
