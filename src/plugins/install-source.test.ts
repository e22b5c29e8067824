import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {makeTempDir, removeTempDirs} from '../../test/helpers/service-harness.js'
import {installSource} from './install-source.js'

afterAll(removeTempDirs)

describe('installSource', () => {
  it('reads npm names with an optional tag or version, scoped or not', () => {
    expect(installSource('steward-plugin-clock', '/')).toEqual({kind: 'registry', spec: 'steward-plugin-clock@latest', name: 'steward-plugin-clock', tag: 'latest'})
    expect(installSource('steward-plugin-clock@^1.2', '/')).toEqual({kind: 'registry', spec: 'steward-plugin-clock@^1.2', name: 'steward-plugin-clock', tag: '^1.2'})
    expect(installSource('@acme/steward-clock', '/')).toEqual({kind: 'registry', spec: '@acme/steward-clock@latest', name: '@acme/steward-clock', tag: 'latest'})
    expect(installSource('@acme/steward-clock@next', '/')).toEqual({kind: 'registry', spec: '@acme/steward-clock@next', name: '@acme/steward-clock', tag: 'next'})
  })

  it('hands URLs and GitHub owner/repo to npm as they are', () => {
    for (const url of ['git+https://example.org/a/b.git', 'git+ssh://git@example.org/a/b.git', 'git+file:///srv/repo', 'github:acme/clock', 'acme/clock', 'https://example.org/clock-1.0.0.tgz']) {
      expect(installSource(url, '/')).toEqual({kind: 'url', spec: url})
    }
  })

  it('makes a local tarball path absolute, with or without file:', () => {
    const dir = makeTempDir('steward-source-')
    const tarball = path.join(dir, 'clock-1.0.0.tgz')
    fs.writeFileSync(tarball, '')
    for (const given of ['./clock-1.0.0.tgz', 'clock-1.0.0.tgz', tarball, 'file:clock-1.0.0.tgz', `file:${tarball}`]) {
      expect(installSource(given, dir)).toEqual({kind: 'url', spec: `file:${tarball}`})
    }
  })

  it('makes a local git repository a git+file URL', () => {
    const repo = makeTempDir('steward-repo-')
    fs.mkdirSync(path.join(repo, '.git'))
    expect(installSource(repo, os.tmpdir())).toEqual({kind: 'url', spec: `git+file://${repo}`})
    expect(installSource(`./${path.basename(repo)}`, path.dirname(repo))).toEqual({kind: 'url', spec: `git+file://${repo}`})
  })

  it('refuses a missing path, and a folder that is not a git repository with the advice to link it', () => {
    const dir = makeTempDir('steward-source-')
    expect(() => installSource('./absent.tgz', dir)).toThrow(expect.objectContaining({code: 'PLUGIN_SOURCE_INVALID', message: `Cannot install ./absent.tgz: ${path.join(dir, 'absent.tgz')} does not exist.`}))
    let refused: unknown
    try {
      installSource('.', dir)
    } catch (error) {
      refused = error
    }
    expect(refused).toMatchObject({code: 'PLUGIN_SOURCE_INVALID', message: `Cannot install .: ${dir} is a folder but not a git repository.`})
    expect((refused as {suggestions: string[]}).suggestions[0]).toBe('Link the folder instead: steward plugins link .')
  })
})
