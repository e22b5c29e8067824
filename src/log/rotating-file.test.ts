import {mkdtemp, readdir, readFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {RotatingFile} from './rotating-file.js'

describe('RotatingFile', () => {
  it('rotates before a line would pass maxSize and keeps maxFiles rotated files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'steward-rotate-'))
    const file = path.join(dir, 'h.log')
    const log = new RotatingFile({file, maxSize: 20, maxFiles: 2})
    for (const word of ['one', 'two', 'three', 'four', 'five', 'six']) log.write(`line ${word} ----\n`)
    log.close()
    expect((await readdir(dir)).sort()).toEqual(['h.log', 'h.log.1', 'h.log.2'])
    expect(await readFile(file, 'utf8')).toBe('line six ----\n')
    expect(await readFile(`${file}.1`, 'utf8')).toBe('line five ----\n')
    expect(await readFile(`${file}.2`, 'utf8')).toBe('line four ----\n')
  })

  it('appends to the file a previous run left', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'steward-rotate-'))
    const file = path.join(dir, 'h.log')
    for (const word of ['a', 'b']) {
      const log = new RotatingFile({file, maxSize: 1000, maxFiles: 1})
      log.write(`${word}\n`)
      log.close()
    }
    expect(await readFile(file, 'utf8')).toBe('a\nb\n')
  })
})
