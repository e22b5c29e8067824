import {readFile} from 'node:fs/promises'
import {describe, expect, it} from 'vitest'
import {scaffoldNames} from '../src/plugins/scaffold/scaffold-names.js'
import {skeletonFiles} from '../src/plugins/scaffold/write-plugin-skeleton.js'

describe('docs/plugins.md', () => {
  it('shows the complete example exactly as `steward plugins new meter` writes it', async () => {
    const page = await readFile(new URL('../docs/plugins.md', import.meta.url), 'utf8')
    const files = skeletonFiles(scaffoldNames('meter'), 'ts')
    for (const file of ['package.json', 'index.ts', 'meter-driver.ts', 'drivers/counter.ts', 'meter-manager.ts', 'test/meter.test.ts']) {
      const language = file.endsWith('.json') ? 'json' : 'ts'
      expect(page, file).toContain(`\`${file}\`:\n\n\`\`\`${language}\n${files[file]}\`\`\`\n`)
    }
  })
})
