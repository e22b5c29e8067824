import {readFile} from 'node:fs/promises'
import {describe, expect, it} from 'vitest'
import {coreOptions, envName} from '../src/config/options.js'

describe('docs/configuration.md', () => {
  it('lists every core option with its environment variable and default', async () => {
    const page = await readFile(new URL('../docs/configuration.md', import.meta.url), 'utf8')
    const rows = new Map([...page.matchAll(/^\| `([a-z_]+)` \| `(STEWARD_[A-Z_]+)`[^|]*\| ([^|]+) \|/gm)].map((match) => [match[1], {env: match[2], default: match[3]!.trim()}]))
    for (const [key, spec] of Object.entries(coreOptions)) {
      const expectedDefault = spec.defaultText ?? `\`${JSON.stringify(spec.default)}\``
      expect(rows.get(key), key).toEqual({env: envName(key), default: expectedDefault})
    }
    expect([...rows.keys()].sort()).toEqual(Object.keys(coreOptions).sort())
  })
})
