import type * as Crypto from 'node:crypto'
import {link, open, readFile, readdir, rename, rm, stat} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {isProcessAlive} from './process-liveness.js'
import {emptyState, parseState, serializeState} from './state-document.js'
import {stateFileCorrupt, stateFileUnavailable, type BackupState} from './store-errors.js'
import type {StateData} from './types.js'

export function backupPathOf(file: string): string {
  return `${file}.bak`
}

/** A complete document as read from disk, with the text it was parsed from. */
export interface StateFileContents {
  data: StateData
  text: string
}

/**
 * Read and validate the state file without any lock: the file is only ever replaced by rename, so
 * a read sees one complete version. Resolves to null when the file does not exist; a file that
 * does not parse is STORE_CORRUPT, an I/O error STORE_UNAVAILABLE.
 */
export async function readStateFile(file: string): Promise<StateFileContents | null> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw stateFileUnavailable(file, 'read the state file', error)
  }
  const parsed = parseState(text)
  if (!parsed.ok) throw stateFileCorrupt(file, parsed.problem, await inspectBackup(file), parsed.position)
  return {data: parsed.data, text}
}

async function inspectBackup(file: string): Promise<BackupState> {
  const path = backupPathOf(file)
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)])
    const parsed = parseState(text)
    return parsed.ok ? {kind: 'usable', path, savedAt: info.mtime} : {kind: 'unusable', path, problem: parsed.problem}
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code === 'ENOENT' ? {kind: 'missing', path} : {kind: 'unusable', path, problem: `cannot read it: ${code}`}
  }
}

const notRead = Symbol('not read')

/**
 * The lowdb adapter of the state file, used only inside the cross-process lock: `read()` then
 * `write()` is one read-modify-write. Unlike lowdb's JSONFile (steno) it writes a temp file with a
 * unique name (steno's fixed `.name.tmp` collides between processes), mode 0600, fsyncs it before
 * the rename, keeps the version it replaces as `.bak`, skips the write when nothing changed, and
 * turns parse failures into STORE_CORRUPT instead of overwriting the file.
 */
export class StateFile {
  readonly path: string
  /** The text on disk as of the last read(): null when there was no file. */
  #base: string | null | typeof notRead = notRead

  constructor(path: string) {
    this.path = path
  }

  async read(): Promise<StateData | null> {
    this.#base = notRead
    const contents = await readStateFile(this.path)
    this.#base = contents?.text ?? null
    return contents?.data ?? null
  }

  /** A fresh copy of the document as the last read() found it (empty when there was no file). */
  reread(): StateData {
    if (this.#base === notRead) throw new Error('StateFile.reread() must follow a successful read()')
    return this.#base === null ? emptyState() : (JSON.parse(this.#base) as StateData)
  }

  async write(data: StateData): Promise<void> {
    if (this.#base === notRead) throw new Error('StateFile.write() must follow a successful read() under the same lock')
    const text = serializeState(data)
    if (text === this.#base) return
    await replaceAtomically(this.path, text, this.#base)
    this.#base = text
  }
}

/**
 * node:crypto, loaded at the first write rather than with the store: loading it costs a CLI
 * command several milliseconds, and commands that only read the store never write.
 */
let crypto: Promise<typeof Crypto> | undefined

async function tempPathFor(target: string): Promise<string> {
  const {randomBytes} = await (crypto ??= import('node:crypto'))
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
}

async function writeNewFile(path: string, text: string): Promise<void> {
  // 'wx': the name is unique, and O_EXCL makes sure we never write into someone else's file.
  const handle = await open(path, 'wx', 0o600)
  try {
    await handle.writeFile(text, 'utf8')
    // Without fsync a crash of the machine (not just the process) can leave a renamed but empty
    // file on ext4 and others. The directory is not fsynced: after a power loss that only loses
    // the newest commit, never the file.
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function replaceAtomically(file: string, text: string, previous: string | null): Promise<void> {
  const temp = await tempPathFor(file)
  try {
    await writeNewFile(temp, text)
    if (previous !== null) await keepBackup(file, previous)
    await rename(temp, file)
  } catch (error) {
    await rm(temp, {force: true})
    throw stateFileUnavailable(file, 'write the state file', error)
  }
}

/** link() failures that mean "copy instead": no hard links here, or the file vanished meanwhile. */
const copyInsteadOfLink = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV', 'ENOENT'])

/**
 * Make the current file (just parsed under the lock, so known good) the `.bak` copy. A hard link
 * costs two metadata operations and no data write, which keeps the backup cheap at heartbeat
 * rates; file systems without hard links get a copy of the text instead. Either way the `.bak` is
 * replaced by rename, so it is always complete.
 */
async function keepBackup(file: string, previous: string): Promise<void> {
  const backup = backupPathOf(file)
  const temp = await tempPathFor(backup)
  try {
    try {
      await link(file, temp)
    } catch (error) {
      if (!copyInsteadOfLink.has((error as NodeJS.ErrnoException).code ?? '')) throw error
      await writeNewFile(temp, previous)
    }
    await rename(temp, backup)
  } catch (error) {
    await rm(temp, {force: true})
    throw error
  }
}

/**
 * Remove temp files left by writers that died mid-write. Called with the lock held after a lock
 * had to be recovered, so any temp file of a dead process is garbage.
 */
export async function removeDeadWritersTempFiles(file: string): Promise<number> {
  const prefix = `.${basename(file)}.`
  let removed = 0
  for (const name of await readdir(dirname(file))) {
    const match = /\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)
    if (!name.startsWith(prefix) || match === null) continue
    const pid = Number(match[1])
    if (pid === process.pid || isProcessAlive(pid)) continue
    await rm(join(dirname(file), name), {force: true})
    removed++
  }
  return removed
}
