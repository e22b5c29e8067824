import {Command, Flags, type Interfaces} from '@oclif/core'
import {loadConfig, type ConfigFlags, type StewardConfig} from '../config/load-config.js'
import {isStewardError} from '../errors/steward-error.js'

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
    if (!isStewardError(error)) return super.catch(error)
    if (this.jsonEnabled()) {
      this.logJson({error: {code: error.code, message: error.message, suggestions: error.suggestions, data: error.data}})
    } else {
      const lines = [`Error: ${error.message}`, `Code: ${error.code}`, ...error.suggestions.map((suggestion) => `Try: ${suggestion}`)]
      this.logToStderr(lines.join('\n'))
    }
    return this.exit(error.exitCode)
  }
}
