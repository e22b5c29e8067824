/**
 * Hot reload through the real parts: a host process running a service from a plugin in a
 * temporary directory, chokidar watching it, a client in this process calling it while the
 * test saves the plugin's files.
 */
import {appendFile, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createContext} from '../../src/rpc/context.js'
import {editFile, reloadTestDir} from '../helpers/generation-hosts.js'
import {openTestClient, startHost} from '../helpers/rpc-hosts.js'
import {killLeftovers, runCli, type StewardProcess} from '../helpers/steward-process.js'

let dir: string
let pluginDir: string
let host: StewardProcess
let client: Awaited<ReturnType<typeof openTestClient>>

beforeAll(async () => {
  ;({dir, pluginDir} = await reloadTestDir())
  host = await startHost(dir, 'A', ['reloadable'])
  client = await openTestClient(dir)
})

afterAll(async () => {
  await client.close()
  await killLeftovers()
})

const label = (): Promise<unknown> => client.client.prepare({topic: 'reloadable', timeout: 10}).call(createContext('vitest'), 'label')

/** Calls at about 500 a second until stopped; every answer and failure is kept. */
function callContinuously(): {answers: string[]; failures: unknown[]; waitFor: (pattern: RegExp) => Promise<void>; stop: () => Promise<void>} {
  const answers: string[] = []
  const failures: unknown[] = []
  const inFlight = new Set<Promise<void>>()
  const watchers: Array<{pattern: RegExp; resolve: () => void}> = []
  const timer = setInterval(() => {
    const call = label().then(
      (answer) => {
        answers.push(answer as string)
        for (const watcher of [...watchers]) {
          if (watcher.pattern.test(answer as string)) {
            watchers.splice(watchers.indexOf(watcher), 1)
            watcher.resolve()
          }
        }
      },
      (error: unknown) => void failures.push(error),
    )
    inFlight.add(call)
    void call.finally(() => inFlight.delete(call))
  }, 2)
  return {
    answers,
    failures,
    waitFor: (pattern) => new Promise((resolve) => watchers.push({pattern, resolve})),
    stop: async () => {
      clearInterval(timer)
      await Promise.all(inFlight)
    },
  }
}

describe('hot reload of a plugin while a host serves calls', () => {
  it('swaps in an edited driver, and an edited module the driver imports, with no failed call', async () => {
    const load = callContinuously()
    await load.waitFor(/^v1-a-light$/)

    await editFile(path.join(pluginDir, 'labelled-driver.ts'), "LABEL = 'v1'", "LABEL = 'v2'")
    await load.waitFor(/^v2-a-light$/)
    await host.waitForOutput(/reloaded: generation 2 serves \(plugins\/reloadable\/labelled-driver\.ts, \d+ ms\)/)

    await editFile(path.join(pluginDir, 'label.ts'), "suffix = 'a'", "suffix = 'b'")
    await load.waitFor(/^v2-b-light$/)
    await host.waitForOutput(/reloaded: generation 3 serves \(plugins\/reloadable\/label\.ts, \d+ ms\)/)

    await load.stop()
    expect(load.failures).toEqual([])
    // The old code answers until the swap and never after it.
    const firstNew = load.answers.indexOf('v2-a-light')
    expect(load.answers.slice(firstNew).filter((answer) => answer.startsWith('v1'))).toEqual([])
    expect(load.answers.length).toBeGreaterThan(100)
  })

  it('keeps the old generation serving through a syntax error, names the file and line, and reloads once it is fixed', async () => {
    const labelFile = path.join(pluginDir, 'label.ts')
    const good = await readFile(labelFile, 'utf8')
    const before = await label()
    await appendFile(labelFile, '\nexport const broken = (\n')
    await host.waitForOutput(/reload failed \(plugins\/reloadable\/label\.ts\):[^\n]*\n[^\n]*label\.ts:\d+:\d+/)
    expect(await label()).toBe(before)

    // Asking for a reload by hand says the same, and fails.
    const asked = await runCli(['services', 'reload', 'reloadable', '--host', 'A'], {cwd: dir})
    expect(asked.code).not.toBe(0)
    expect(asked.stderr).toMatch(/label\.ts:\d+:\d+/)
    expect(asked.stderr).toMatch(/Code: PLUGIN_LOAD_FAILED/)
    expect(await label()).toBe(before)

    await writeFile(labelFile, good.replace(/suffix = '\w+'/, "suffix = 'fixed'"))
    await eventuallyAnswers(/-fixed-/)
  })
})

async function eventuallyAnswers(pattern: RegExp): Promise<void> {
  for (;;) {
    const answer = (await label()) as string
    if (pattern.test(answer)) return
    await host.waitForOutput(/reloaded: generation \d+ serves/)
  }
}
