import {Command, Flags, type Interfaces} from '@oclif/core'
import {loadConfig, type ConfigFlags, type StewardConfig} from '../config/load-config.js'
import {isStewardError} from '../errors/steward-error.js'
import {RemoteError} from '../rpc/wire-errors.js'

/**
 * Base of every steward command: the global --config and --state-dir flags, loading the
 * configuration, and turning steward errors into a message, a code and an exit status instead
 * of a stack trace.
 */
export abstract class StewardCommand extends Command {
  static override baseFlags = {
    config: Flags.string({
      summary: 'Configuration file (default ./steward.json when it exists).',
      helpGroup: 'GLOBAL',
    }),
    'state-dir': Flags.string({
      summary: 'Directory of the state file.',
      helpGroup: 'GLOBAL',
    }),
  }

  /** Load the configuration with the global flags and any option flags of the command. */
  protected loadConfig(flags: {config?: string | undefined; 'state-dir'?: string | undefined}, options: ConfigFlags = {}): StewardConfig {
    const given: ConfigFlags = {...options}
    if (flags.config !== undefined) given.config = flags.config
    if (flags['state-dir'] !== undefined) given.state_dir = flags['state-dir']
    return loadConfig({flags: given})
  }

  /**
   * Print a steward error as one unwrapped message (paths stay whole for copying), its code and
   * what to try, then exit with the code's status. Other errors keep oclif's handling.
   */
  protected override async catch(error: Interfaces.CommandError): Promise<unknown> {
    const reported = isStewardError(error) ? {...error.toJSON(), exitCode: error.exitCode} : error instanceof RemoteError ? remoteReport(error) : pluginReport(error)
    if (reported === undefined) return super.catch(error)
    const {code, message, suggestions, data, exitCode} = reported
    if (this.jsonEnabled()) {
      this.logJson({error: {code, message, suggestions, data}})
    } else {
      this.logToStderr([`Error: ${message}`, `Code: ${code}`, ...suggestions.map((suggestion) => `Try: ${suggestion}`)].join('\n'))
    }
    return this.exit(exitCode)
  }
}

/**
 * A plugin's own error thrown in the command itself: an Error subclass with an UPPER_SNAKE `code`
 * (a plugin's command checks its input before it calls a service). Exits 1.
 */
function pluginReport(error: Error): {code: string; message: string; suggestions: string[]; data: Record<string, unknown>; exitCode: number} | undefined {
  const {name, code, data} = error as Error & {code?: unknown; data?: unknown}
  // Node's own errors are named Error; oclif's carry `oclif` (their exit status) and keep its handling.
  if (name === 'Error' || 'oclif' in error || typeof code !== 'string' || !/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(code)) return undefined
  return {code, message: error.message, suggestions: [], data: typeof data === 'object' && data !== null ? {...data, name} : {name}, exitCode: 1}
}

/** A plugin's own error from another host, reported like steward's own (its class name in data). */
function remoteReport(error: RemoteError): {code: string; message: string; suggestions: string[]; data: Record<string, unknown>; exitCode: number} {
  return {code: error.code, message: error.message, suggestions: [...error.suggestions], data: {...error.data, remoteName: error.remoteName}, exitCode: error.exitCode}
}
