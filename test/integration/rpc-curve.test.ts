import {readFile, stat, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {encode} from '../../src/rpc/protocol.js'
import {stewardJson} from '../helpers/rpc-hosts.js'
import {closeRawDealers, RawDealer} from '../helpers/raw-dealer.js'
import {killLeftovers, makeTestDir, runCli, runJson, StewardProcess, writeConfig} from '../helpers/steward-process.js'

afterEach(async () => {
  closeRawDealers()
  await killLeftovers()
})

interface Generated {
  file: string
  publicKey: string
}

const generate = (dir: string, name: string): Promise<Generated> => runJson<Generated>(['keys', 'generate', '--out', path.join(dir, name)], {cwd: dir})

interface HostView {
  name: string
  endpoint: string
  pid: number
  state: string
  curve: boolean
}

const sysinfo = {report_interval: 1, periodic_fuzzy_delay: 0, sysinfo: {driver: 'node-os'}}

describe('steward keys generate', () => {
  it('writes a Z85 key pair with mode 0600, prints the public key, and refuses to overwrite a file', async () => {
    const dir = await makeTestDir('steward-keys-')
    const generated = await generate(dir, 'host.key')
    expect(generated.file).toBe(path.join(dir, 'host.key'))
    const written = JSON.parse(await readFile(generated.file, 'utf8')) as {publicKey: string; secretKey: string}
    expect(written.publicKey).toBe(generated.publicKey)
    expect(written.publicKey).toMatch(/^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/)
    expect(written.secretKey).toMatch(/^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/)
    expect(written.secretKey).not.toBe(written.publicKey)
    expect((await stat(generated.file)).mode & 0o777).toBe(0o600)

    const before = await readFile(generated.file, 'utf8')
    const again = await runCli(['keys', 'generate', '--out', generated.file], {cwd: dir})
    expect(again.code).toBe(73)
    // oclif may wrap the message and starts each line with "›".
    expect(again.stderr.replace(/\s*›\s*/g, ' ').replace(/\s+/g, ' ')).toContain(`Error: ${generated.file} exists; refusing to overwrite a key.`)
    expect(await readFile(generated.file, 'utf8')).toBe(before)
    // Each run makes a new pair.
    expect((await generate(dir, 'other.key')).publicKey).not.toBe(generated.publicKey)
  })
})

describe('a host with CURVE and allowed clients', () => {
  it('answers the allowed client key; an unknown key and a client without CURVE get no answer', async () => {
    const dir = await makeTestDir('steward-curve-')
    const [host, known, unknown] = await Promise.all([generate(dir, 'host.key'), generate(dir, 'client1.key'), generate(dir, 'client2.key')])
    await writeConfig(dir, {
      ...sysinfo,
      rpc_listen: 'tcp://127.0.0.1:0',
      rpc_curve_server_key: 'host.key',
      rpc_curve_allowed_clients: [known.publicKey],
      rpc_curve_client_key: 'client1.key',
    })
    const child = new StewardProcess(['start', 'sysinfo', '--host', 'C'], {cwd: dir})
    await child.waitForOutput(/host C running/)
    const [view] = await runJson<HostView[]>(['hosts'], {cwd: dir})
    expect(view).toMatchObject({name: 'C', state: 'up', curve: true, pid: child.child.pid})
    expect(view!.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
    expect(JSON.parse(await readFile(path.join(dir, 'state', 'steward.json'), 'utf8')).hosts[0].publicKey).toBe(host.publicKey)

    // The configured client key (client1) is allowed.
    const allowed = await stewardJson<{takenAt: string}>(dir, ['call', 'sysinfo', 'latest', '--server', 'C'])
    expect(allowed.code).toBe(0)
    expect(allowed.result).toHaveProperty('takenAt')

    // client2's key is not: the handshake is refused, so the call waits for an answer that never comes.
    const refused = await stewardJson(dir, ['call', 'sysinfo', 'latest', '--server', 'C', '--timeout', '2', '--config', await configWithClientKey(dir, 'client2.key')])
    expect(refused.code).toBe(75)
    expect(refused.error).toMatchObject({code: 'MESSAGING_TIMEOUT', data: {topic: 'sysinfo', server: 'C', method: 'latest', endpoint: view!.endpoint}})
    await child.waitForOutput(new RegExp(`refused a CURVE client whose key is not allowed.*clientKey=${escape(unknown.publicKey)}`))

    // A raw client with the server key and client2's key: its handshake fails and nothing comes back.
    const secret = (JSON.parse(await readFile(unknown.file, 'utf8')) as {secretKey: string}).secretKey
    const stranger = new RawDealer(view!.endpoint, {curve: {serverKey: host.publicKey, publicKey: unknown.publicKey, secretKey: secret}, receiveTimeoutMs: 1000})
    const authFailed = stranger.once('handshake:error:auth')
    await stranger.send(encode([{type: 'ping', id: 'p1', header: {}, body: null}]))
    await authFailed
    await expect(stranger.next()).rejects.toMatchObject({code: 'EAGAIN'})

    // No CURVE at all: the handshake fails on the mechanism; the host logs it and answers nothing.
    const plain = new RawDealer(view!.endpoint, {receiveTimeoutMs: 1000})
    const mismatch = plain.once('handshake:error:protocol')
    await plain.send(encode([{type: 'ping', id: 'p2', header: {}, body: null}]))
    await mismatch
    await child.waitForOutput(/WARN {2}refused a connection: .* code=HANDSHAKE_FAILED/)
    await expect(plain.next()).rejects.toMatchObject({code: 'EAGAIN'})

    // The allowed client still works, and the host stops cleanly (the ZAP handler does not hold it).
    expect((await stewardJson(dir, ['call', 'sysinfo', 'latest', '--server', 'C'])).code).toBe(0)
    child.kill('SIGTERM')
    expect(await child.exited).toEqual({code: 0, signal: null})
  })

  it('exits with RPC_ENDPOINT_FAILED (74) when its port is taken, and the first host keeps serving', async () => {
    const dir = await makeTestDir('steward-curve-')
    const [, known] = await Promise.all([generate(dir, 'host.key'), generate(dir, 'client1.key')])
    const curve = {rpc_curve_server_key: 'host.key', rpc_curve_allowed_clients: [known.publicKey]}
    await writeConfig(dir, {...sysinfo, ...curve, rpc_listen: 'tcp://127.0.0.1:0'})
    const first = new StewardProcess(['start', 'sysinfo', '--host', 'first'], {cwd: dir})
    await first.waitForOutput(/host first running/)
    const [{endpoint}] = (await runJson<HostView[]>(['hosts'], {cwd: dir})) as [HostView]

    const other = await makeTestDir('steward-curve-')
    await writeConfig(other, {...sysinfo, rpc_curve_server_key: path.join(dir, 'host.key'), rpc_curve_allowed_clients: [known.publicKey], rpc_listen: endpoint})
    const second = await runCli(['start', 'sysinfo', '--host', 'second'], {cwd: other})
    expect(second.code).toBe(74)
    expect(second.stderr).toContain(`Cannot bind the RPC endpoint ${endpoint}`)
    expect(second.stderr).toContain('Code: RPC_ENDPOINT_FAILED')
    expect((await stewardJson(dir, ['call', 'sysinfo', 'latest', '--server', 'first', '--config', await configWithClientKey(dir, 'client1.key')])).code).toBe(0)
    first.kill('SIGTERM')
    expect(await first.exited).toEqual({code: 0, signal: null})
  })

  it('refuses to start on a TCP address beyond loopback without a CURVE key (RPC_ENDPOINT_INSECURE, exit 78)', async () => {
    const dir = await makeTestDir('steward-curve-')
    await writeConfig(dir, {...sysinfo, rpc_listen: 'tcp://0.0.0.0:0'})
    const result = await runCli(['start', 'sysinfo', '--host', 'open'], {cwd: dir})
    expect(result.code).toBe(78)
    expect(result.stderr).toContain('Refusing to listen on tcp://0.0.0.0:0 without CURVE')
    expect(result.stderr).toContain('Code: RPC_ENDPOINT_INSECURE')
  })

  it('listens beyond loopback with a CURVE key', async () => {
    const dir = await makeTestDir('steward-curve-')
    await generate(dir, 'host.key')
    await writeConfig(dir, {...sysinfo, rpc_listen: 'tcp://0.0.0.0:0', rpc_curve_server_key: 'host.key'})
    const child = new StewardProcess(['start', 'sysinfo', '--host', 'wide'], {cwd: dir})
    await child.waitForOutput(/host wide running/)
    const [view] = await runJson<HostView[]>(['hosts'], {cwd: dir})
    expect(view).toMatchObject({name: 'wide', curve: true})
    // Without rpc_curve_allowed_clients any client completing the handshake is answered: the CLI's
    // ephemeral key here.
    const answered = await stewardJson(dir, ['call', 'sysinfo', 'latest', '--server', 'wide'])
    expect(answered.code).toBe(0)
    child.kill('SIGTERM')
    expect(await child.exited).toEqual({code: 0, signal: null})
  })
})

/** A copy of the test's steward.json whose CLI presents another client key. */
async function configWithClientKey(dir: string, keyFile: string): Promise<string> {
  const config = JSON.parse(await readFile(path.join(dir, 'steward.json'), 'utf8')) as Record<string, unknown>
  const file = path.join(dir, `steward-${keyFile}.json`)
  await writeFile(file, JSON.stringify({...config, rpc_curve_client_key: keyFile}))
  return file
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
