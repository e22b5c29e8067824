import {execFileSync} from 'node:child_process'
import {mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {isStewardError} from '../errors/index.js'
import type {DocumentStore} from './document-store.js'
import {openStore} from './open-store.js'
import {emptyState, serializeState} from './state-document.js'
import type {NewServiceRecord} from './types.js'

const share: NewServiceRecord = {host: 'alpha', binary: 'steward-share', topic: 'share', zone: 'nova', disabled: false}

let dir: string
let stateDir: string
let file: string
const stores: DocumentStore[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-lowdb-'))
  stateDir = join(dir, 'state')
  file = join(stateDir, 'steward.json')
})

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  await rm(dir, {recursive: true, force: true})
})

async function open(options: {create?: boolean; lockTimeoutMs?: number} = {}): Promise<DocumentStore> {
  const store = await openStore({stateDir, create: options.create ?? true, lockStaleMs: 2000, lockTimeoutMs: options.lockTimeoutMs ?? 5000, onWarning: () => {}})
  stores.push(store)
  return store
}

async function caught(promise: Promise<unknown>): Promise<Error & {code?: string; data?: Record<string, unknown>}> {
  try {
    await promise
  } catch (error) {
    expect(isStewardError(error)).toBe(true)
    return error as Error
  }
  throw new Error('expected a rejection')
}

describe('the lowdb state file', () => {
  it('creates the directory 0700 and the file 0600 on open with create', async () => {
    await open()
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(emptyState())
  })

  it('keeps the previous version as steward.json.bak, also 0600', async () => {
    const store = await open()
    const {record} = await store.findOrCreateService(share)
    const before = await readFile(file, 'utf8')
    await store.reportService(record.id, new Date())
    expect(await readFile(`${file}.bak`, 'utf8')).toBe(before)
    expect((await stat(`${file}.bak`)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(file, 'utf8')).services[0].reportCount).toBe(1)
  })

  it('leaves no temp files behind', async () => {
    const store = await open()
    const {record} = await store.findOrCreateService(share)
    await Promise.all(Array.from({length: 5}, () => store.reportService(record.id, new Date())))
    // Including the lock: it is released before callers hear back.
    expect((await readdir(stateDir)).sort()).toEqual(['steward.json', 'steward.json.bak'])
  })

  it('applies concurrent mutations of one process under one lock and one write', async () => {
    const store = await open()
    const {record} = await store.findOrCreateService(share)
    const commitsBefore = store.stats?.commits ?? 0
    await Promise.all(Array.from({length: 20}, () => store.reportService(record.id, new Date())))
    expect(store.stats?.commits).toBe(commitsBefore + 1)
    expect((await store.getService(record.id))?.reportCount).toBe(20)
  })

  it('does not rewrite the file when a mutation changes nothing', async () => {
    const store = await open()
    await store.findOrCreateService(share)
    const before = await stat(file, {bigint: true})
    expect(await store.updateService(404, {disabled: true})).toBeUndefined()
    await store.findOrCreateService(share)
    const after = await stat(file, {bigint: true})
    expect([after.ino, after.mtimeNs]).toEqual([before.ino, before.mtimeNs])
  })

  it('sees what another store on the same file wrote', async () => {
    const writer = await open()
    const reader = await open({create: false})
    const {record} = await writer.findOrCreateService(share)
    await writer.reportService(record.id, new Date())
    expect((await reader.getService(record.id))?.reportCount).toBe(1)
    await reader.reportService(record.id, new Date())
    expect((await writer.getService(record.id))?.reportCount).toBe(2)
  })
})

describe('a missing state file', () => {
  it('is STORE_NOT_FOUND for a reader, naming the file and the way out', async () => {
    const store = await open({create: false})
    const error = await caught(store.listServices())
    expect(error.code).toBe('STORE_NOT_FOUND')
    expect(error.message).toContain(file)
    expect(error.data).toEqual({file})
    expect(JSON.stringify(error)).toMatch(/steward start/)
    expect(JSON.stringify(error)).toMatch(/--state-dir/)
  })

  it('is created by the first write', async () => {
    const store = await open({create: false})
    await store.findOrCreateService(share)
    expect(await store.listServices()).toHaveLength(1)
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700)
  })
})

describe('a corrupt state file', () => {
  const broken = '{\n  "version": 1,\n  "services": [\n    {"id": 1,,}\n  ]\n}\n'

  it('is STORE_CORRUPT naming the file, the position and the .bak restore command', async () => {
    const store = await open()
    await store.findOrCreateService(share)
    await store.findOrCreateService({...share, host: 'beta'})
    await writeFile(file, broken)
    const error = await caught(store.listServices())
    expect(error.code).toBe('STORE_CORRUPT')
    expect(error.message).toContain(`The state file ${file} is corrupt: not valid JSON at line 4 column 14 (offset 47): Expected double-quoted property name.`)
    const restore = `mv ${file} ${file}.corrupt && mv ${file}.bak ${file}`
    expect(error.message).toContain(`The last good copy is ${file}.bak`)
    expect(error.message).toContain(restore)
    expect(error.data).toMatchObject({file, backup: `${file}.bak`, backupState: 'usable', position: {line: 4, column: 14, offset: 47}})

    // The command works as printed.
    execFileSync('sh', ['-c', restore])
    expect((await store.listServices()).map((record) => record.host)).toEqual(['alpha'])
    expect(await readFile(`${file}.corrupt`, 'utf8')).toBe(broken)
  })

  it('is never overwritten by a write', async () => {
    const store = await open()
    await writeFile(file, broken)
    const error = await caught(store.findOrCreateService(share))
    expect(error.code).toBe('STORE_CORRUPT')
    expect(await readFile(file, 'utf8')).toBe(broken)
  })

  it('without a .bak says so and suggests moving it aside', async () => {
    await mkdir(stateDir, {recursive: true})
    await writeFile(file, '{"version": 1, "nextServiceId": 1, "services": [')
    const error = await caught((await open({create: false})).listServices())
    expect(error.code).toBe('STORE_CORRUPT')
    expect(error.message).toContain(`There is no last good copy (${file}.bak does not exist)`)
    expect(error.message).toContain(`mv ${file} ${file}.corrupt`)
    expect(error.message).toMatch(/line 1 column 49 \(offset 48\): Unexpected end of JSON input\./)
  })

  it('with an unusable .bak says that too', async () => {
    await mkdir(stateDir, {recursive: true})
    await writeFile(file, 'garbage')
    await writeFile(`${file}.bak`, '')
    const error = await caught((await open({create: false})).listServices())
    expect(error.message).toContain(`The last good copy ${file}.bak is unusable too (the file is empty)`)
    expect(error.data).toMatchObject({backupState: 'unusable'})
  })

  it.each([
    ['an empty file', '', 'the file is empty'],
    ['not an object', '[]', 'the document is not a JSON object'],
    ['no version', '{"nextServiceId": 1, "services": [], "hosts": [], "plugins": {}}', '"version" is missing, expected 1'],
    ['a newer version', JSON.stringify({...emptyState(), version: 2}), 'format version 2, newer than this steward understands (1); upgrade steward'],
    ['services not an array', JSON.stringify({...emptyState(), services: {}}), '"services" is not an array'],
    ['a service without an id', JSON.stringify({...emptyState(), services: [{host: 'a', binary: 'b'}]}), 'services[0] lacks a numeric "id"'],
    ['no hosts', JSON.stringify({...emptyState(), hosts: undefined}), '"hosts" is not an array'],
    ['plugins not an object', JSON.stringify({...emptyState(), plugins: []}), '"plugins" is not an object'],
    ['a plugin collection not an array', JSON.stringify({...emptyState(), plugins: {p: {c: {}}}}), 'plugins.p.c is not an array'],
  ])('with %s is STORE_CORRUPT saying what is wrong', async (_case, text, problem) => {
    await mkdir(stateDir, {recursive: true})
    await writeFile(file, text)
    const error = await caught((await open({create: false})).listServices())
    expect(error.code).toBe('STORE_CORRUPT')
    expect(error.message).toContain(problem)
  })
})

describe('an unreadable state file', () => {
  it('is STORE_UNAVAILABLE naming the path and the errno', async () => {
    await mkdir(file, {recursive: true})
    const store = await open({create: false})
    const error = await caught(store.listServices())
    expect(error.code).toBe('STORE_UNAVAILABLE')
    expect(error.message).toBe(`Cannot read the state file ${file}: EISDIR (is a directory).`)
    expect(error.data).toMatchObject({path: file, errno: 'EISDIR'})
  })

  it('under a state "directory" that is a file is STORE_UNAVAILABLE on write', async () => {
    await writeFile(join(dir, 'plain-file'), '')
    const store = await openStore({stateDir: join(dir, 'plain-file', 'state'), onWarning: () => {}})
    stores.push(store)
    const error = await caught(store.findOrCreateService(share))
    expect(error.code).toBe('STORE_UNAVAILABLE')
    expect(error.data).toMatchObject({errno: expect.stringMatching(/^(ENOTDIR|EEXIST)$/)})
  })
})

describe('openStore options', () => {
  it('refuses a stale time under 2000 ms', async () => {
    await expect(openStore({stateDir, lockStaleMs: 1000})).rejects.toThrow(/lockStaleMs must be at least 2000/)
  })

  it('accepts a document written by hand in the same format', async () => {
    await mkdir(stateDir, {recursive: true})
    await writeFile(file, serializeState({...emptyState(), nextServiceId: 7}))
    const store = await open({create: false})
    expect((await store.findOrCreateService(share)).record.id).toBe(7)
  })
})
