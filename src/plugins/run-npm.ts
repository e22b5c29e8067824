import {spawn} from 'node:child_process'
import fs from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {StewardError} from '../errors/index.js'

/** The npm that @oclif/plugin-plugins pins, so installs behave the same wherever steward runs. */
function npmCli(): string {
  const fromPluginPlugins = createRequire(createRequire(import.meta.url).resolve('@oclif/plugin-plugins'))
  const packageFile = fromPluginPlugins.resolve('npm/package.json')
  const {bin} = JSON.parse(fs.readFileSync(packageFile, 'utf8')) as {bin: {npm: string}}
  return path.join(path.dirname(packageFile), bin.npm)
}

/** How many of npm's last output lines an error keeps. */
const ERROR_LINES = 15

/**
 * Run npm in a folder (npm's own settings apply: `npm_config_offline`, `npm_config_registry`…).
 * Its output is kept quiet; when it fails, PLUGIN_NPM_FAILED carries npm's error lines.
 */
export function runNpm(args: readonly string[], cwd: string, doing: string): Promise<void> {
  const fullArgs = [npmCli(), ...args, '--no-audit', '--no-fund', '--loglevel=error']
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, fullArgs, {cwd, stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) return resolve()
      const lines = output.trim().split('\n').slice(-ERROR_LINES)
      reject(
        new StewardError('PLUGIN_NPM_FAILED', `npm could not ${doing} (exit ${code}):\n${lines.join('\n')}`, {
          data: {command: ['npm', ...args], cwd, exitCode: code},
          suggestions: ['Check the name, version or URL, and that the registry or git host can be reached (npm runs offline when npm_config_offline=true).'],
        }),
      )
    })
  })
}
