// A process of the coordination-locks test: increments the counter file `times` times, each time
// reading it, yielding, then writing it back, under synchronized('counter') with a lock directory.
// With "hold" instead of a count it takes the lock, says "held" and waits to be killed.
import {readFile, writeFile} from 'node:fs/promises'
import {setTimeout as sleep} from 'node:timers/promises'
import {LockManager} from '../../src/coordination/index.js'

const [lockDir, counterFile, times] = process.argv.slice(2)
if (lockDir === undefined || counterFile === undefined || times === undefined) {
  throw new Error('usage: coordination-locks.child.ts <lockDir> <counterFile> <times|hold>')
}
const locks = new LockManager({lockDir})

if (times === 'hold') {
  await locks.synchronized('counter', async () => {
    process.stdout.write('held\n')
    await sleep(60_000)
  })
} else {
  for (let i = 0; i < Number(times); i++) {
    await locks.synchronized('counter', async () => {
      const value = Number(await readFile(counterFile, 'utf8'))
      await sleep(1)
      await writeFile(counterFile, String(value + 1))
    })
  }
}
