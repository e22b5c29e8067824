/**
 * The entry of the worker thread that checks plugins for `steward plugins`: imports each one's
 * code and validates its definition, and reports each result as soon as it is known.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {describeError, isStewardError} from '../errors/index.js'
import type {PluginManifest} from './discover-plugins.js'
import {PluginRegistry} from './plugin-registry.js'

/** One plugin's result: no error when it loads. */
export interface PluginCheck {
  dir: string
  error?: {code: string; message: string}
}

const plugins = (workerData as {plugins: PluginManifest[]}).plugins
const registry = new PluginRegistry({plugins, problems: []})
for (const plugin of plugins) {
  let result: PluginCheck = {dir: plugin.dir}
  try {
    await registry.check(plugin)
  } catch (error) {
    result = {dir: plugin.dir, error: {code: isStewardError(error) ? error.code : 'PLUGIN_LOAD_FAILED', message: describeError(error)}}
  }
  parentPort!.postMessage(result)
}
