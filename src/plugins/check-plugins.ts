import path from 'node:path'
import {Worker} from 'node:worker_threads'
import type {PluginCheck} from './check-plugins-worker.js'
import type {PluginManifest} from './discover-plugins.js'
import {packageRoot} from './package-root.js'

const workerFile = path.join(packageRoot, 'dist', 'plugins', 'check-plugins-worker.js')

/** How long one plugin's code may take to load before it counts as failed. */
const LOAD_TIMEOUT_MS = 10_000

/**
 * Load and validate plugins' code as a host would, in worker threads that are ended afterwards:
 * timers or sockets a plugin opens at import, a `process.exit` or an import that never settles
 * can neither keep the caller running nor end it, and fail only that plugin. Resolves with one
 * result per plugin, in order.
 */
export async function checkPlugins(plugins: readonly PluginManifest[]): Promise<PluginCheck[]> {
  const results: PluginCheck[] = []
  while (results.length < plugins.length) results.push(...(await checkInWorker(plugins.slice(results.length))))
  return results
}

/** Check plugins in one worker until all are done or one breaks the worker: at least one result. */
function checkInWorker(plugins: readonly PluginManifest[]): Promise<PluginCheck[]> {
  // Plugins' output while loading is dropped: it would garble the caller's (--json) output.
  const worker = new Worker(workerFile, {workerData: {plugins}, stdout: true, stderr: true})
  worker.stdout.resume()
  worker.stderr.resume()
  const results: PluginCheck[] = []
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined
    const finish = (): void => {
      clearTimeout(timer)
      worker.removeAllListeners()
      void worker.terminate()
      resolve(results)
    }
    const fail = (why: string): void => {
      const plugin = plugins[results.length]!
      results.push({dir: plugin.dir, error: {code: 'PLUGIN_LOAD_FAILED', message: `Plugin ${plugin.name} (${plugin.entry}) ${why}`}})
      finish()
    }
    const awaitNext = (): void => {
      clearTimeout(timer)
      timer = setTimeout(() => fail(`did not finish loading within ${LOAD_TIMEOUT_MS / 1000} s.`), LOAD_TIMEOUT_MS)
    }
    worker.on('message', (result: PluginCheck) => {
      results.push(result)
      if (results.length === plugins.length) finish()
      else awaitNext()
    })
    worker.on('error', (error) => fail(`failed while loading: ${error.message}`))
    worker.on('exit', (code) => fail(`ended its thread while loading (exit ${code}).`))
    awaitNext()
  })
}
