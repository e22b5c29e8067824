import {spawn, spawnSync} from 'node:child_process'
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {transports} from '../helpers/rpc-hosts.js'
import {killLeftovers, makeTestDir, repoRoot, StewardProcess, writeConfig} from '../helpers/steward-process.js'

/**
 * docs/protocol.md promises that a client can be written from the page alone, and shows one in
 * Python. This runs that very block against a real host, with pyzmq replaced by a minimal ZMTP
 * 3.0 stand-in (test/fixtures/python/zmq.py), so the page and the protocol cannot drift apart.
 */
const hasPython = spawnSync('python3', ['--version']).status === 0

afterEach(killLeftovers)

async function pythonBlock(): Promise<string> {
  const page = await readFile(path.join(repoRoot, 'docs', 'protocol.md'), 'utf8')
  const block = /```python\n([\s\S]*?)```/.exec(page)
  if (block === null) throw new Error('docs/protocol.md has no python block')
  return block[1]!
}

const driver = `
import json, sys
from client import call
state_dir = sys.argv[1]
outcomes = []
for topic, method, args in [("sysinfo", "latest", None), ("sysinfo", "serviceVersion", {}), ("sysinfo", "nope", {"a": 1}), ("nosuch", "latest", None)]:
    try:
        outcomes.append({"result": call(state_dir, topic, method, args)})
    except Exception as error:
        outcomes.append({"error": type(error).__name__, "message": str(error)})
print(json.dumps(outcomes))
`

function runPython(dir: string, stateDir: string): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [path.join(dir, 'driver.py'), stateDir], {
      cwd: dir,
      env: {...process.env, PYTHONPATH: [path.join(repoRoot, 'test', 'fixtures', 'python'), dir].join(path.delimiter)},
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr}))
  })
}

describe.skipIf(!hasPython).each(transports)('the Python client of docs/protocol.md over %s', (_transport, options) => {
  it('finds the live service in the state file, calls it, and reads replies and errors', async () => {
    const dir = await makeTestDir('steward-python-')
    await writeConfig(dir, {report_interval: 1, periodic_fuzzy_delay: 0, sysinfo: {driver: 'node-os'}, ...options})
    const host = new StewardProcess(['start', 'sysinfo', '--host', 'py-host'], {cwd: dir})
    await host.waitForOutput(/host py-host running/)
    await writeFile(path.join(dir, 'client.py'), await pythonBlock())
    await writeFile(path.join(dir, 'driver.py'), driver)

    const {code, stdout, stderr} = await runPython(dir, path.join(dir, 'state'))
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const [latest, version, missing, nowhere] = JSON.parse(stdout) as Array<{result?: unknown; error?: string; message?: string}>
    expect(latest!.result).toMatchObject({takenAt: expect.any(String) as string, loadAverage: expect.any(Array) as unknown[]})
    expect(version).toEqual({result: expect.stringMatching(/^\d+\.\d+\.\d+/) as string})
    expect(missing).toEqual({error: 'RuntimeError', message: 'NO_SUCH_METHOD: Service steward-sysinfo on py-host has no RPC method "nope".'})
    expect(nowhere).toEqual({error: 'LookupError', message: 'no live service of nosuch'})
    // The host saw well-formed messages only.
    expect(host.output).not.toMatch(/refused a message/)
  })
})
