/**
 * The SDK for plugins' CLI commands (`import … from 'steward/cli'`): commands that take steward's
 * global flags, print its errors, and reach services and the state store as the API's routes do.
 * See docs/plugins.md, "Adding CLI commands".
 */
export {StewardCommand} from './base-command.js'
export {withCommandContext, type CommandContext} from './with-rpc-client.js'
export {textTable} from './text-table.js'
export {durationMs} from './trace-flags.js'
