import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {openStore} from '../../src/store/index.js'
import {StoreChild} from '../helpers/store-child.js'

let dir: string
const children: StoreChild[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-store-procs-'))
})

afterEach(async () => {
  for (const child of children.splice(0)) {
    child.process.kill('SIGKILL')
    await child.exited
  }
  await rm(dir, {recursive: true, force: true})
})

function start(args: readonly string[]): StoreChild {
  const child = new StoreChild(args)
  children.push(child)
  return child
}

describe('one store file shared by many processes', () => {
  it('loses no update: 8 processes × 500 read-modify-write increments end at exactly 4000', async () => {
    const store = await openStore({stateDir: dir, create: true})
    const {record} = await store.findOrCreateService({host: 'counter', binary: 'steward-share', topic: 'share', zone: 'nova', disabled: false})
    await store.close()

    // Four increments in flight per process, so group commit within a process is exercised too.
    const workers = Array.from({length: 8}, () => start(['increment', dir, String(record.id), '500', '4']))
    expect(await Promise.all(workers.map((worker) => worker.nextLine()))).toEqual(Array(8).fill('done 500'))
    await Promise.all(workers.map((worker) => worker.succeeded()))

    const data = JSON.parse(await readFile(join(dir, 'steward.json'), 'utf8'))
    expect(data.services).toHaveLength(1)
    expect(data.services[0].reportCount).toBe(4000)
  })

  it('creates exactly one record when two processes find-or-create the same service at once', async () => {
    for (let run = 0; run < 5; run++) {
      // A fresh directory each run, so the creation of the state file itself races as well.
      const stateDir = join(dir, `run-${run}`)
      const pair = [start(['find-or-create', stateDir]), start(['find-or-create', stateDir])]
      for (const child of pair) expect(await child.nextLine()).toBe('ready')
      for (let round = 0; round < 10; round++) {
        const host = `host-${round}`
        for (const child of pair) child.send(`go ${host}`)
        const answers = (await Promise.all(pair.map((child) => child.nextLine()))).map(
          (line) => JSON.parse(line) as {host: string; id: number; created: boolean},
        )
        expect(answers.filter((answer) => answer.created), `run ${run}, ${host}`).toHaveLength(1)
        expect(answers[0]?.id, `run ${run}, ${host}`).toBe(answers[1]?.id)
      }
      for (const child of pair) child.process.stdin.end()
      await Promise.all(pair.map((child) => child.succeeded()))

      const store = await openStore({stateDir})
      const services = await store.listServices()
      await store.close()
      expect(services.map((service) => service.host)).toEqual(Array.from({length: 10}, (_, round) => `host-${round}`))
    }
  })
})
