import {existsSync} from 'node:fs'
import {mkdtemp, readFile, readdir, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {openStore} from '../../src/store/index.js'
import {StoreChild} from '../helpers/store-child.js'

let dir: string
let live: StoreChild | undefined

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-store-crash-'))
})

afterEach(async () => {
  live?.process.kill('SIGKILL')
  await live?.exited
  await rm(dir, {recursive: true, force: true})
})

/** Parse the state file as any other program would: no steward code involved. */
async function reportCountOnDisk(file: string): Promise<number> {
  const data = JSON.parse(await readFile(file, 'utf8')) as {services: Array<{reportCount: number}>}
  return data.services[0]?.reportCount ?? Number.NaN
}

describe('a writer killed mid-write', () => {
  it('never leaves a state file that fails to parse, nor one older than its last acknowledged write (50 kills)', async () => {
    const file = join(dir, 'steward.json')
    const store = await openStore({stateDir: dir, create: true})
    const {record} = await store.findOrCreateService({host: 'crash', binary: 'steward-share', topic: 'share', zone: 'nova', disabled: false})
    // About 1 MB, so every commit spends milliseconds reading, serializing and writing: a kill
    // lands inside a commit far more often than between two.
    const ballast = store.collection('crash-test', 'ballast')
    for (let chunk = 0; chunk < 4; chunk++) {
      await Promise.all(
        Array.from({length: 1000}, (_, index) => ballast.put({id: `${chunk}-${index}`, text: 'x'.repeat(200), n: index})),
      )
    }
    await store.close()
    expect((await readFile(file)).length).toBeGreaterThan(1_000_000)

    // Nearly every kill leaves the lock directory behind. Writers run with the minimum stale time
    // (2000 ms), but the next writer does not wait for it: the lock's owner file names a pid that
    // no longer exists on this host, so FileLock takes the lock over at once (see file-lock.ts).
    // Only a kill between the lock's mkdir and its owner file falls back to the 2 s stale rule.
    // That keeps 50 kills at about half a second each, mostly the start-up of a tsx child.
    let acknowledged = 0
    let killsLeavingLock = 0
    for (let kill = 0; kill < 50; kill++) {
      live = new StoreChild(['writer', dir, String(record.id)])
      // Let it commit one to three times, then kill it at a varying point of its next commit.
      // The delay picks where the kill lands; it does not wait for anything.
      for (let acks = 0; acks <= kill % 3; acks++) {
        acknowledged = Number(/^ack (\d+)$/.exec(await live.nextLine())?.[1])
      }
      await delay(kill % 11)
      live.process.kill('SIGKILL')
      // Awaiting exit also reaps the process, so the next writer sees its pid as gone.
      const {signal} = await live.exited
      expect(signal, live.stderr).toBe('SIGKILL')

      // Every line printed before the kill is an acknowledged write.
      for (let line = await live.nextLine().catch(() => undefined); line !== undefined; line = await live.nextLine().catch(() => undefined)) {
        acknowledged = Number(/^ack (\d+)$/.exec(line)?.[1])
      }
      const count = await reportCountOnDisk(file)
      // The kill may land after a commit's rename but before its "ack" is printed.
      expect([acknowledged, acknowledged + 1], `after kill ${kill}`).toContain(count)
      if (existsSync(`${file}.bak`)) await reportCountOnDisk(`${file}.bak`)
      if (existsSync(`${file}.lock`)) killsLeavingLock++
    }
    // The test only proves something if kills did land mid-commit (in practice nearly all do).
    expect(killsLeavingLock).toBeGreaterThan(0)

    // The next writer recovers the lock left by the last kill and sweeps dead writers' temp files.
    live = new StoreChild(['once', dir, String(record.id)])
    const last = Number(/^ack (\d+)$/.exec(await live.nextLine())?.[1])
    await live.succeeded()
    expect(last).toBe((await reportCountOnDisk(file)))
    expect(last).toBeGreaterThan(acknowledged)
    expect((await readdir(dir)).sort()).toEqual(['steward.json', 'steward.json.bak'])
  })
})
