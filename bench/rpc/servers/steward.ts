// The steward server of the RPC benchmark: a slot, filled once the steward RPC server lands (see
// clients/steward.ts for what it will do). Until then it refuses to start.
import {stewardUnavailable} from '../clients/steward.js'

console.error(`steward server: ${stewardUnavailable ?? 'not written yet'}`)
process.exit(1)
