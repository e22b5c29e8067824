// The manager the RPC benchmark runs as a real service (servers/steward-service.ts), in a worker
// generation or inline: `echo` answers as every benchmarked server does (common.ts), `cast`
// counts.
import {definePlugin, Manager} from 'steward'
import {answer, type Answer, type Payload} from '../common.js'

class BenchManager extends Manager {
  static override rpcApiVersion = '1.0'
  static override rpcMethods = ['echo', 'cast']
  private casts = 0

  echo(_ctx: unknown, request: Payload): Answer {
    return answer(request, this.casts)
  }

  cast(): null {
    this.casts++
    return null
  }
}

export default definePlugin({name: 'bench-echo', steward: '*', managers: {bench: BenchManager}})
