import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {StewardError} from '../errors/index.js'

/** What to hand `npm install` for what the user typed, and how the manifest remembers it. */
export type InstallSource =
  /** A registry package: its name is known before npm runs. */
  | {kind: 'registry'; spec: string; name: string; tag: string}
  /** A URL, a GitHub `owner/repo`, a local tarball or git repository: npm tells the name. */
  | {kind: 'url'; spec: string}

// npm's own rules (npm-package-arg): what starts like a path is a path, and so is a tarball name.
const LOOKS_LIKE_PATH = process.platform === 'win32' ? /^(?:\.|~[/\\]|[/\\]|[a-zA-Z]:)/ : /^(?:\.|~\/|\/)/
const TARBALL = /\.(?:tgz|tar\.gz|tar)$/i

/**
 * Read what `steward plugins install` was given: an npm name (`name`, `name@tag`,
 * `@scope/name@1.2`), a git or tarball URL (`git+https://…`, `git+file:///srv/repo`,
 * `https://…/x.tgz`), a GitHub `owner/repo`, or a local path (`file:` optional) to a tarball
 * (`npm pack` output) or a git repository. Local paths become absolute, since npm runs in
 * steward's data directory, not where the user is.
 */
export function installSource(argument: string, cwd: string): InstallSource {
  const local = argument.startsWith('file:') ? argument.slice('file:'.length) : argument
  const isLocal = argument.startsWith('file:') || LOOKS_LIKE_PATH.test(argument) || (TARBALL.test(argument) && !argument.includes(':'))
  if (isLocal) return localSource(argument, expandHome(local, cwd))
  if (argument.includes(':') || (argument.includes('/') && !argument.startsWith('@'))) return {kind: 'url', spec: argument}
  const at = argument.indexOf('@', 1)
  const name = at === -1 ? argument : argument.slice(0, at)
  const tag = at === -1 ? 'latest' : argument.slice(at + 1)
  return {kind: 'registry', spec: `${name}@${tag}`, name, tag}
}

function expandHome(given: string, cwd: string): string {
  return given.startsWith('~/') ? path.join(os.homedir(), given.slice(2)) : path.resolve(cwd, given)
}

function localSource(argument: string, file: string): InstallSource {
  const stats = fs.statSync(file, {throwIfNoEntry: false})
  if (stats === undefined) {
    throw new StewardError('PLUGIN_SOURCE_INVALID', `Cannot install ${argument}: ${file} does not exist.`, {
      data: {source: argument, file},
      suggestions: ['Give the path of a tarball made by `npm pack`, of a git repository, or an npm package name.'],
    })
  }
  if (stats.isFile()) return {kind: 'url', spec: `file:${file}`}
  if (fs.existsSync(path.join(file, '.git'))) return {kind: 'url', spec: `git+${pathToFileURL(file).href}`}
  throw new StewardError('PLUGIN_SOURCE_INVALID', `Cannot install ${argument}: ${file} is a folder but not a git repository.`, {
    data: {source: argument, file},
    suggestions: [`Link the folder instead: steward plugins link ${argument}`, 'Or pack it (`npm pack`) and install the tarball.'],
  })
}
