import fs from 'node:fs'
import path from 'node:path'
import {StewardError, describeError} from '../errors/index.js'
import {installSource} from './install-source.js'
import {runNpm} from './run-npm.js'
import {ensureUserPluginsManifest, readUserPluginDependencies, readUserPluginRecords, updateUserPluginRecords, type UserPluginRecord} from './user-plugins.js'

/** A package `steward plugins install` or `link` added. */
export interface AddedPlugin {
  name: string
  version: string
  dir: string
  source: 'installed' | 'linked'
  /** `steward`: it provides managers or drivers (it may add CLI commands too); `cli`: only commands. */
  kind: 'steward' | 'cli'
}

interface Target {
  /** The user plugins manifest (see userPluginsManifestPath). */
  manifest: string
  /** Where relative paths given by the user start. */
  cwd: string
}

/**
 * Install a plugin package with npm into the manifest's folder and record it, as
 * @oclif/plugin-plugins does, so oclif loads its CLI commands and steward discovers it. Unlike
 * plugin-plugins 5 this takes local tarballs and git repositories, packages without an `oclif`
 * field, and several git URLs (it names what npm installed by what npm added).
 */
export async function installPlugin(argument: string, target: Target & {force?: boolean}): Promise<AddedPlugin> {
  const source = installSource(argument, target.cwd)
  const dataDir = path.dirname(target.manifest)
  ensureUserPluginsManifest(target.manifest)
  const before = readUserPluginDependencies(target.manifest)
  await runNpm(['install', source.spec, '--omit', 'dev', ...(target.force === true ? ['--force'] : [])], dataDir, `install ${argument}`)
  const name = source.kind === 'registry' ? source.name : installedName(target.manifest, before, source.spec)
  const dir = path.join(dataDir, 'node_modules', name)
  let described: Omit<AddedPlugin, 'dir' | 'source'>
  try {
    described = describePackage(dir, argument)
  } catch (error) {
    await runNpm(['uninstall', name], dataDir, `remove ${name} again`)
    throw error
  }
  const record: UserPluginRecord = source.kind === 'registry' ? {type: 'user', name, tag: source.tag} : {type: 'user', name, url: source.spec}
  updateUserPluginRecords(target.manifest, (records) => [...records.filter((other) => other.name !== name), record])
  return {...described, dir, source: 'installed'}
}

/**
 * Record a local plugin folder as linked: steward uses it in place, edits included. It replaces an
 * installed plugin of the same name, whose package npm then removes.
 */
export async function linkPlugin(argument: string, target: Target): Promise<AddedPlugin> {
  const dir = path.resolve(target.cwd, argument)
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    throw new StewardError('PLUGIN_SOURCE_INVALID', `Cannot link ${argument}: ${dir} is not a folder with a package.json.`, {
      data: {source: argument, file: dir},
      suggestions: ['Give the folder of a plugin (the one with its package.json).'],
    })
  }
  const described = describePackage(dir, argument)
  const replaced = readUserPluginRecords(target.manifest).find((record) => record.name === described.name)
  const record: UserPluginRecord = {type: 'link', name: described.name, root: dir}
  updateUserPluginRecords(target.manifest, (records) => [...records.filter((other) => other.name !== described.name && !(other.type === 'link' && other.root === dir)), record])
  if (replaced?.type === 'user') await runNpm(['uninstall', replaced.name], path.dirname(target.manifest), `remove the installed ${replaced.name} that the link replaces`)
  return {...described, dir, source: 'linked'}
}

/**
 * Remove an installed plugin (by name) or a linked one (by name or folder). The record goes first,
 * so a running host stops using the plugin before npm deletes its files.
 */
export async function uninstallPlugin(argument: string, target: Target): Promise<UserPluginRecord> {
  const records = readUserPluginRecords(target.manifest)
  const folder = path.resolve(target.cwd, argument)
  const record = records.find((candidate) => candidate.name === argument) ?? records.find((candidate) => candidate.type === 'link' && path.resolve(candidate.root) === folder)
  if (record === undefined) {
    throw new StewardError('PLUGIN_NOT_INSTALLED', `No installed or linked plugin is named ${argument}.`, {
      data: {plugin: argument, installed: records.map((candidate) => candidate.name)},
      suggestions: [records.length > 0 ? `Installed and linked: ${records.map((candidate) => candidate.name).join(', ')}.` : 'No plugin is installed or linked.', 'Run `steward plugins` to list every plugin.'],
    })
  }
  updateUserPluginRecords(target.manifest, (current) => current.filter((other) => other.name !== record.name))
  if (record.type === 'user') await runNpm(['uninstall', record.name], path.dirname(target.manifest), `uninstall ${record.name}`)
  return record
}

/** The package npm just installed: the one dependency it added or changed, else the same URL installed again. */
function installedName(manifest: string, before: Record<string, string>, spec: string): string {
  const after = readUserPluginDependencies(manifest)
  const changed = Object.keys(after).filter((name) => before[name] !== after[name])
  if (changed.length === 1) return changed[0]!
  const again = readUserPluginRecords(manifest).find((record) => record.type === 'user' && record.url === spec)
  if (changed.length === 0 && again !== undefined) return again.name
  throw new StewardError('PLUGIN_NPM_FAILED', `npm installed ${spec}, but which package it is cannot be told from the dependencies of ${manifest}.`, {
    data: {spec, file: manifest, changed},
  })
}

/** Name, version and kind from a package's package.json; PACKAGE_NOT_A_PLUGIN when it is neither kind. */
function describePackage(dir: string, argument: string): Omit<AddedPlugin, 'dir' | 'source'> {
  const packageFile = path.join(dir, 'package.json')
  let json: Record<string, unknown>
  try {
    json = JSON.parse(fs.readFileSync(packageFile, 'utf8')) as Record<string, unknown>
  } catch (error) {
    throw new StewardError('PLUGIN_SOURCE_INVALID', `Cannot use ${argument}: ${packageFile} cannot be read: ${describeError(error)}`, {data: {source: argument, file: packageFile}, cause: error})
  }
  const name = typeof json.name === 'string' ? json.name : path.basename(dir)
  const version = typeof json.version === 'string' ? json.version : '0.0.0'
  if (json.steward !== undefined) return {name, version, kind: 'steward'}
  if (json.oclif !== undefined) return {name, version, kind: 'cli'}
  throw new StewardError('PACKAGE_NOT_A_PLUGIN', `${name} (${argument}) is not a steward plugin: its package.json has neither a "steward" nor an "oclif" field.`, {
    data: {source: argument, file: packageFile},
    suggestions: ['A steward plugin declares what it provides in package.json: "steward": {"managers": [...], "drivers": [...]}. See docs/plugins.md.'],
  })
}
