import {StewardError} from '../errors/index.js'

/** A path as a POSIX shell needs it, so suggested commands can be pasted as they are. */
export function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`
}

export function stateFileNotFound(file: string): StewardError {
  return new StewardError(
    'STORE_NOT_FOUND',
    `No state file at ${file}: no steward host has run with this state directory yet.`,
    {
      data: {file},
      suggestions: [
        'Start a host with `steward start` (it creates the state file), or',
        'point to the state directory of a running host with --state-dir (or STEWARD_STATE_DIR).',
      ],
    },
  )
}

/** What is known about the `.bak` copy when the state file itself is corrupt. */
export type BackupState =
  | {kind: 'usable'; path: string; savedAt: Date}
  | {kind: 'missing'; path: string}
  | {kind: 'unusable'; path: string; problem: string}

export function stateFileCorrupt(
  file: string,
  problem: string,
  backup: BackupState,
  position?: {offset: number; line: number; column: number},
): StewardError {
  const aside = `${file}.corrupt`
  const moveAside = `mv ${shellQuote(file)} ${shellQuote(aside)}`
  const recovery =
    backup.kind === 'usable'
      ? `The last good copy is ${backup.path} (saved ${backup.savedAt.toISOString()}). To restore it and keep the corrupt file for inspection, run: ${moveAside} && mv ${shellQuote(backup.path)} ${shellQuote(file)}`
      : backup.kind === 'missing'
        ? `There is no last good copy (${backup.path} does not exist). To start from an empty state, move the corrupt file aside: ${moveAside} (hosts re-register their services when they start).`
        : `The last good copy ${backup.path} is unusable too (${backup.problem}). To start from an empty state, move the corrupt file aside: ${moveAside} (hosts re-register their services when they start).`
  return new StewardError('STORE_CORRUPT', `The state file ${file} is corrupt: ${problem}. ${recovery}`, {
    data: {file, problem, backup: backup.path, backupState: backup.kind, ...(position === undefined ? {} : {position})},
    suggestions: [
      backup.kind === 'usable'
        ? `Restore the last good copy: ${moveAside} && mv ${shellQuote(backup.path)} ${shellQuote(file)}`
        : `Move the corrupt file aside: ${moveAside}`,
      'steward never overwrites a corrupt state file; nothing is written until it is repaired or moved.',
    ],
  })
}

const errnoHints: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
}

/** An I/O error on the state file or its directory, as STORE_UNAVAILABLE naming the path and errno. */
export function stateFileUnavailable(path: string, action: string, cause: unknown): StewardError {
  const errno = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN'
  const hint = errnoHints[errno]
  const retryable = ['ENOSPC', 'EDQUOT', 'EIO', 'EMFILE', 'EBUSY', 'EAGAIN'].includes(errno)
  return new StewardError(
    'STORE_UNAVAILABLE',
    `Cannot ${action} ${path}: ${errno}${hint === undefined ? '' : ` (${hint})`}.`,
    {
      cause,
      retryable,
      data: {path, errno, action},
      suggestions:
        errno === 'EACCES' || errno === 'EPERM'
          ? [`Check the owner and mode of ${path} and its directory (steward keeps the directory 0700 and its files 0600).`]
          : [`Check that ${path} and its directory are on a writable, healthy file system.`],
    },
  )
}

/** Who holds a lock, as its owner file inside the lock directory tells. */
export interface LockHolder {
  pid: number
  host: string
  acquiredAt: string
}

export function lockTimeout(file: string, lockPath: string, waitedMs: number, holder: LockHolder | undefined): StewardError {
  const heldBy =
    holder === undefined
      ? ''
      : ` It is held by pid ${holder.pid} on ${holder.host} since ${holder.acquiredAt}.`
  return new StewardError(
    'STORE_LOCK_TIMEOUT',
    `Timed out after ${waitedMs} ms waiting for the lock on the state file ${file} (lock directory ${lockPath}).${heldBy}`,
    {
      retryable: true,
      data: {file, lockPath, waitedMs, ...(holder === undefined ? {} : {holder})},
      suggestions: [
        'Another steward process is writing the state; try again, or raise lockTimeoutMs.',
        `If no steward process is running, the lock is left over from a crash: remove it with rm -r ${shellQuote(lockPath)}`,
      ],
    },
  )
}

export function storeClosed(location: string): StewardError {
  return new StewardError('STORE_UNAVAILABLE', `The state store ${location} is closed.`, {data: {path: location}})
}
