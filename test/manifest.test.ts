import {readFile} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'
import {Plugin} from '@oclif/core'
import {describe, expect, it} from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

describe('oclif.manifest.json', () => {
  it('matches the commands as built (run `npm run manifest` after changing a command)', async () => {
    // The same generation `oclif manifest` does, without writing the file.
    const plugin = new Plugin({errorOnManifestCreate: true, ignoreManifest: true, respectNoCacheDefault: true, root, type: 'core'})
    await plugin.load()
    const committed: unknown = JSON.parse(await readFile(new URL('../oclif.manifest.json', import.meta.url), 'utf8'))
    expect(committed).toEqual(JSON.parse(JSON.stringify(plugin.manifest)))
  })
})
