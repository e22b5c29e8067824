import {readFile} from 'node:fs/promises'
import {describe, expect, it} from 'vitest'
import {errorCatalog} from '../src/errors/catalog.js'

describe('docs/errors.md', () => {
  it('documents exactly the codes of the catalog, each with its exit status', async () => {
    const page = await readFile(new URL('../docs/errors.md', import.meta.url), 'utf8')
    const documented = [...page.matchAll(/^### ([A-Z_]+)\nExit (\d+)\./gm)].map((match): [string, number] => [match[1]!, Number(match[2])])
    const catalog = Object.entries(errorCatalog).map(([code, entry]): [string, number] => [code, entry.exitCode])
    expect(new Map(documented)).toEqual(new Map(catalog))
    expect(documented).toHaveLength(catalog.length)
  })
})
