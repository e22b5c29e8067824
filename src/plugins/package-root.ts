import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

/** The steward package's root directory (the same from src/ under test and from dist/). */
export const packageRoot = fileURLToPath(new URL('../..', import.meta.url))

/** The bundled plugins shipped with steward. */
export const bundledPluginsDir = fileURLToPath(new URL('../../plugins', import.meta.url))

/** The running steward's version, which plugins' `steward` ranges are checked against. */
export const stewardVersion: string = (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {version: string}).version
