// A process of the store integration tests. It runs the store from source through tsx (the tests
// start it with `node --import tsx`), so it never runs a stale build. Modes:
//
//   increment <stateDir> <serviceId> <times> <concurrency>
//       reportService(serviceId) `times` times, `concurrency` at once; prints "done <n>" at the end.
//   writer <stateDir> <serviceId>
//       reportService(serviceId) in a loop until killed, printing "ack <reportCount>" after each
//       commit. The lock's stale time is the minimum (2000 ms), as the crash test wants.
//   once <stateDir> <serviceId>
//       one reportService, then "ack <reportCount>" and a clean exit.
//   find-or-create <stateDir>
//       prints "ready", then for each stdin line "go <host>" calls findOrCreateService(host,
//       steward-share) and prints {"host", "id", "created"} as JSON. The store is opened (create:
//       true) at the first "go", so the creation of the file races too.
import {createInterface} from 'node:readline'
import {openStore, type StateStore} from '../../src/store/index.js'

const [mode, stateDir, ...rest] = process.argv.slice(2)
if (mode === undefined || stateDir === undefined) throw new Error('usage: store.child.ts <mode> <stateDir> …')

const say = (line: string): void => {
  // Synchronous on pipes on Linux: the line is out before the next commit starts.
  process.stdout.write(`${line}\n`)
}

switch (mode) {
  case 'increment': {
    const [id, times, concurrency] = rest.map(Number) as [number, number, number]
    const store = await openStore({stateDir, lockTimeoutMs: 60_000})
    let issued = 0
    let acknowledged = 0
    const worker = async (): Promise<void> => {
      while (issued < times) {
        issued++
        if ((await store.reportService(id, new Date())) === undefined) throw new Error(`no service ${id}`)
        acknowledged++
      }
    }
    await Promise.all(Array.from({length: concurrency}, worker))
    await store.close()
    say(`done ${acknowledged}`)
    break
  }
  case 'writer':
  case 'once': {
    const id = Number(rest[0])
    const store = await openStore({stateDir, lockStaleMs: 2000, lockTimeoutMs: 30_000})
    do {
      const record = await store.reportService(id, new Date())
      if (record === undefined) throw new Error(`no service ${id}`)
      say(`ack ${record.reportCount}`)
    } while (mode === 'writer')
    await store.close()
    break
  }
  case 'find-or-create': {
    let store: StateStore | undefined
    say('ready')
    for await (const line of createInterface({input: process.stdin})) {
      const host = /^go (\S+)$/.exec(line)?.[1]
      if (host === undefined) throw new Error(`unexpected command ${JSON.stringify(line)}`)
      store ??= await openStore({stateDir, create: true, lockTimeoutMs: 30_000})
      const {record, created} = await store.findOrCreateService({host, binary: 'steward-share', topic: 'share', zone: 'nova', disabled: false})
      say(JSON.stringify({host, id: record.id, created}))
    }
    await store?.close()
    break
  }
  default:
    throw new Error(`unknown mode ${mode}`)
}
