import {readFileSync} from 'node:fs'
import {StewardError} from '../errors/index.js'

/** A CURVE key pair, Z85 text (40 characters each). */
export interface KeyPair {
  publicKey: string
  secretKey: string
}

const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/

/** Read a key file written by `steward keys generate`. */
export function readKeyFile(file: string): KeyPair {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new StewardError('KEY_FILE_INVALID', `Cannot read the key file ${file}: ${(error as Error).message}`, {
      cause: error,
      data: {file},
      suggestions: ['Create one with `steward keys generate --out <file>`.'],
    })
  }
  const {publicKey, secretKey} = (parsed ?? {}) as Partial<KeyPair>
  if (!isZ85Key(publicKey) || !isZ85Key(secretKey)) {
    throw new StewardError('KEY_FILE_INVALID', `The key file ${file} must hold {"publicKey", "secretKey"}, each 40 characters of Z85.`, {data: {file}})
  }
  return {publicKey, secretKey}
}

export function isZ85Key(value: unknown): value is string {
  return typeof value === 'string' && Z85_KEY.test(value)
}
