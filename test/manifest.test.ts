import {readFile} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'
import {Plugin} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {registerSdkResolution} from '../src/plugins/sdk-resolution.js'

const root = fileURLToPath(new URL('..', import.meta.url))

/** The manifest `oclif manifest` would write for the plugin at dir, without writing it. */
async function generatedManifest(dir: string): Promise<unknown> {
  const plugin = new Plugin({errorOnManifestCreate: true, ignoreManifest: true, respectNoCacheDefault: true, root: dir, type: 'core'})
  await plugin.load()
  return JSON.parse(JSON.stringify(plugin.manifest))
}

describe('oclif.manifest.json', () => {
  it('matches the commands as built (run `npm run manifest` after changing a command)', async () => {
    const committed: unknown = JSON.parse(await readFile(new URL('../oclif.manifest.json', import.meta.url), 'utf8'))
    expect(committed).toEqual(await generatedManifest(root))
  })

  it('of the share plugin matches its commands as built', async () => {
    // Its commands import 'steward/cli', which resolves to this steward as `steward` runs them.
    registerSdkResolution()
    const committed: unknown = JSON.parse(await readFile(new URL('../plugins/share/oclif.manifest.json', import.meta.url), 'utf8'))
    expect(committed).toEqual(await generatedManifest(fileURLToPath(new URL('../plugins/share', import.meta.url))))
  })
})
