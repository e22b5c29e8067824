import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {StewardError, describeError} from '../errors/index.js'

/**
 * A record of `oclif.plugins` in the user plugins manifest, in the format @oclif/plugin-plugins
 * writes and @oclif/core reads: an installed package (`user`, with the npm tag or the URL it came
 * from) or a linked folder (`link`).
 */
export type UserPluginRecord = {type: 'user'; name: string; tag?: string; url?: string} | {type: 'link'; name: string; root: string}

/** An installed or linked plugin's package folder. */
export interface UserPlugin {
  name: string
  dir: string
  source: 'installed' | 'linked'
}

/** The CLI's `oclif.dirname` (package.json): the folder name of its data directory. */
const CLI_DIRNAME = 'steward'

/**
 * steward's data directory, computed as oclif's `config.dataDir` is for this CLI, so processes
 * without an oclif Config (a host) find what the CLI installed: `$STEWARD_DATA_DIR`, else
 * `$XDG_DATA_HOME/steward`, else `~/.local/share/steward`.
 */
export function stewardDataDir(): string {
  const env = process.env
  if (env.STEWARD_DATA_DIR) return env.STEWARD_DATA_DIR
  const home = env.HOME || os.homedir() || os.tmpdir()
  const base = env.XDG_DATA_HOME || (process.platform === 'win32' && env.LOCALAPPDATA) || path.join(home, '.local', 'share')
  return path.join(base, CLI_DIRNAME)
}

/**
 * The user plugins manifest: `package.json` in steward's data directory ({@link stewardDataDir}).
 * Its `oclif.plugins` lists the plugins installed with `steward plugins install` (packages in
 * `node_modules/` beside it) and linked with `steward plugins link`; the file may not exist yet.
 *
 * Watch this file to notice installs, links and uninstalls, then discover plugins again. A record
 * is added only after npm has finished and the package was checked, so a plugin never appears
 * half-installed. npm also rewrites the file in place during an install (not atomically): a read
 * can catch it half-written and fail with USER_PLUGINS_MANIFEST_INVALID, so wait for writes to
 * settle (chokidar `awaitWriteFinish`) and keep the last good discovery when a read fails.
 */
export function userPluginsManifestPath(): string {
  return path.join(stewardDataDir(), 'package.json')
}

/** The records of a user plugins manifest; none when the file does not exist. */
export function readUserPluginRecords(manifest: string): UserPluginRecord[] {
  const plugins = readManifest(manifest)?.oclif?.plugins
  return Array.isArray(plugins) ? plugins.flatMap(asRecord) : []
}

/** The manifest's `dependencies`, which npm keeps: package name to what it was installed from. */
export function readUserPluginDependencies(manifest: string): Record<string, string> {
  return readManifest(manifest)?.dependencies ?? {}
}

/** The package folders of the installed and linked plugins recorded in a manifest. */
export function userPlugins(manifest: string = userPluginsManifestPath()): UserPlugin[] {
  return readUserPluginRecords(manifest).map((record) =>
    record.type === 'link'
      ? {name: record.name, dir: path.resolve(record.root), source: 'linked'}
      : {name: record.name, dir: path.join(path.dirname(manifest), 'node_modules', record.name), source: 'installed'},
  )
}

/**
 * Change the records of a manifest (creating it when missing) and write it atomically, keeping
 * what npm keeps there (`dependencies`). One record per name: a later one replaces an earlier.
 */
export function updateUserPluginRecords(manifest: string, change: (records: UserPluginRecord[]) => UserPluginRecord[]): void {
  const json = readManifest(manifest) ?? emptyManifest()
  const records = change(readUserPluginRecords(manifest))
  const unique = [...new Map(records.map((record) => [record.name, record])).values()]
  const updated = {...json, oclif: {...json.oclif, schema: 1, plugins: unique}}
  fs.mkdirSync(path.dirname(manifest), {recursive: true})
  const temporary = `${manifest}.${process.pid}.tmp`
  fs.writeFileSync(temporary, `${JSON.stringify(updated, null, 2)}\n`)
  fs.renameSync(temporary, manifest)
}

/** Make sure the manifest exists: npm run in its folder must not climb to a parent project. */
export function ensureUserPluginsManifest(manifest: string): void {
  if (!fs.existsSync(manifest)) updateUserPluginRecords(manifest, (records) => records)
}

interface ManifestJson {
  dependencies?: Record<string, string>
  oclif?: {plugins?: unknown; [key: string]: unknown}
  [key: string]: unknown
}

/** What @oclif/plugin-plugins writes into a new manifest. */
function emptyManifest(): ManifestJson {
  return {name: CLI_DIRNAME, private: true, dependencies: {}, oclif: {schema: 1, plugins: []}}
}

function readManifest(manifest: string): ManifestJson | undefined {
  let text: string
  try {
    text = fs.readFileSync(manifest, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw invalidManifest(manifest, error)
  }
  try {
    const json: unknown = JSON.parse(text)
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('it is not a JSON object')
    return json as ManifestJson
  } catch (error) {
    throw invalidManifest(manifest, error)
  }
}

function invalidManifest(manifest: string, error: unknown): StewardError {
  return new StewardError('USER_PLUGINS_MANIFEST_INVALID', `The manifest of installed plugins ${manifest} cannot be read: ${describeError(error)}`, {
    data: {file: manifest},
    cause: error,
    suggestions: [`Fix the JSON of ${manifest}, or remove it and install the plugins again.`],
  })
}

/** Read one entry as oclif does: a bare string is an installed package; other shapes are skipped. */
function asRecord(entry: unknown): UserPluginRecord[] {
  if (typeof entry === 'string') return [{type: 'user', name: entry}]
  if (typeof entry !== 'object' || entry === null) return []
  const {type, name, root, tag, url} = entry as Record<string, unknown>
  if (type === 'link' && typeof root === 'string') return [{type, name: typeof name === 'string' ? name : path.basename(root), root}]
  if (type !== 'user' || typeof name !== 'string') return []
  return [{type, name, ...(typeof tag === 'string' ? {tag} : {}), ...(typeof url === 'string' ? {url} : {})}]
}
