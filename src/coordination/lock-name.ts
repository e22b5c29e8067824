import {createHash} from 'node:crypto'

const MAX_READABLE_LENGTH = 100

/**
 * A file name for a lock name: readable when the name already is, otherwise with the characters
 * that are not `[A-Za-z0-9._-]` replaced and a short hash of the original appended, so that two
 * names that sanitise alike still get different files.
 */
export function lockFileName(lockName: string): string {
  const readable = lockName.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '_').slice(0, MAX_READABLE_LENGTH)
  if (readable === lockName) return lockName
  return `${readable}-${createHash('sha256').update(lockName).digest('hex').slice(0, 8)}`
}
