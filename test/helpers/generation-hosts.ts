import {cp, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {makeTestDir, repoRoot, writeConfig} from './steward-process.js'

/** The plugin the generation tests copy and edit: managers `reloadable` and `faulty`. */
export const reloadableFixture = path.join(repoRoot, 'test', 'fixtures', 'generations', 'reloadable')

/**
 * A test directory with its own copy of the reloadable fixture plugin under `plugins/`, and a
 * steward.json that finds it and heartbeats every second.
 */
export async function reloadTestDir(extra: Record<string, unknown> = {}): Promise<{dir: string; pluginDir: string}> {
  const dir = await makeTestDir('steward-reload-')
  const pluginDir = path.join(dir, 'plugins', 'reloadable')
  await cp(reloadableFixture, pluginDir, {recursive: true})
  await writeConfig(dir, {plugin_dirs: ['plugins'], report_interval: 1, periodic_fuzzy_delay: 0, ...extra})
  return {dir, pluginDir}
}

/** Save a plugin file with one text replaced, as an editor would. */
export async function editFile(file: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(file, 'utf8')
  const edited = text.replace(from, to)
  if (edited === text) throw new Error(`${file} has no ${String(from)} to replace`)
  await writeFile(file, edited)
}
