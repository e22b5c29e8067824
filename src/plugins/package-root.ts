import {fileURLToPath} from 'node:url'

/** The steward package's root directory (the same from src/ under test and from dist/). */
export const packageRoot = fileURLToPath(new URL('../..', import.meta.url))

/** The bundled plugins shipped with steward. */
export const bundledPluginsDir = fileURLToPath(new URL('../../plugins', import.meta.url))
