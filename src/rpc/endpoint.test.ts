import {mkdtempSync, rmSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {isStewardError, type StewardError} from '../errors/index.js'
import {hostEndpoint} from './endpoint.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-endpoint-'))
  dirs.push(dir)
  return dir
}

const options = (overrides: Partial<Parameters<typeof hostEndpoint>[0]>): Parameters<typeof hostEndpoint>[0] => ({
  rpc_listen: '',
  state_dir: '/nonexistent',
  host: 'node1',
  rpc_curve_server_key: '',
  ...overrides,
})

function refusal(overrides: Partial<Parameters<typeof hostEndpoint>[0]>): StewardError {
  try {
    hostEndpoint(options(overrides))
  } catch (error) {
    if (isStewardError(error)) return error
    throw error
  }
  throw new Error(`expected ${JSON.stringify(overrides)} to be refused`)
}

describe('hostEndpoint', () => {
  it('defaults to ipc://<state_dir>/rpc/<host>.sock in a directory of mode 0700', () => {
    const stateDir = tempDir()
    expect(hostEndpoint(options({state_dir: stateDir}))).toBe(`ipc://${stateDir}/rpc/node1.sock`)
    const stat = statSync(path.join(stateDir, 'rpc'))
    expect(stat.isDirectory()).toBe(true)
    expect(stat.mode & 0o777).toBe(0o700)
  })

  it('keeps a host name safe as a file name', () => {
    const stateDir = tempDir()
    expect(hostEndpoint(options({state_dir: stateDir, host: 'a b/../c@d.e'}))).toBe(`ipc://${stateDir}/rpc/a_b_.._c@d.e.sock`)
  })

  it('takes an ipc:// path as given and creates its directory with mode 0700', () => {
    const dir = path.join(tempDir(), 'sockets', 'deep')
    expect(hostEndpoint(options({rpc_listen: `ipc://${dir}/h.sock`}))).toBe(`ipc://${dir}/h.sock`)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
  })

  it('takes a socket path of 107 bytes and refuses one of 108 with RPC_ENDPOINT_FAILED', () => {
    const base = tempDir()
    const pathOf = (length: number): string => `${base}/${'s'.repeat(length - base.length - '/.sock'.length)}.sock`
    expect(Buffer.byteLength(pathOf(107))).toBe(107)
    expect(hostEndpoint(options({rpc_listen: `ipc://${pathOf(107)}`}))).toBe(`ipc://${pathOf(107)}`)
    const error = refusal({rpc_listen: `ipc://${pathOf(108)}`})
    expect(error.code).toBe('RPC_ENDPOINT_FAILED')
    expect(error.message).toContain('longer than 107 bytes')
  })

  it('refuses a default path that a long state_dir makes too long', () => {
    const stateDir = path.join(tempDir(), 'x'.repeat(100))
    expect(refusal({state_dir: stateDir}).code).toBe('RPC_ENDPOINT_FAILED')
  })

  it.each(['tcp://127.0.0.1:0', 'tcp://127.0.0.1:*', 'tcp://127.1.2.3:7400', 'tcp://localhost:7400', 'tcp://[::1]:0', 'tcp://::1:0'])('allows %s without CURVE', (listen) => {
    expect(hostEndpoint(options({rpc_listen: listen}))).toBe(listen)
  })

  it.each(['tcp://0.0.0.0:0', 'tcp://10.0.0.5:7400', 'tcp://example.com:7400', 'tcp://*:7400', 'tcp://[::]:0', 'tcp://128.0.0.1:1'])('refuses %s without CURVE with RPC_ENDPOINT_INSECURE', (listen) => {
    const error = refusal({rpc_listen: listen})
    expect(error.code).toBe('RPC_ENDPOINT_INSECURE')
    expect(error.exitCode).toBe(78)
    expect(error.data).toEqual({endpoint: listen})
  })

  it('allows any TCP address with a CURVE server key', () => {
    expect(hostEndpoint(options({rpc_listen: 'tcp://0.0.0.0:7400', rpc_curve_server_key: '/keys/host.key'}))).toBe('tcp://0.0.0.0:7400')
  })

  it.each(['http://127.0.0.1:80', 'tcp://127.0.0.1', 'tcp://:7400', 'tcp://127.0.0.1:port', 'udp://127.0.0.1:1', '127.0.0.1:7400', 'inproc://x'])('refuses %j with CONFIG_INVALID', (listen) => {
    const error = refusal({rpc_listen: listen})
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.data).toEqual({key: 'rpc_listen'})
  })
})
