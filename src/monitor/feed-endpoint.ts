import {StewardError} from '../errors/index.js'

/** Longest path of a Unix socket (as in src/rpc/endpoint.ts). */
const MAX_IPC_PATH = 107

/**
 * Where a host's telemetry feed binds, beside the RPC endpoint it bound: `…/<host>.sock` gives
 * `…/<host>.feed.sock` (same directory, so the same 0700 permissions keep other users out), and
 * `tcp://address:port` gives the same address on a port the system picks.
 */
export function feedEndpointFor(rpcEndpoint: string): string {
  if (rpcEndpoint.startsWith('ipc://')) {
    const file = rpcEndpoint.slice('ipc://'.length)
    const feed = file.endsWith('.sock') ? `${file.slice(0, -'.sock'.length)}.feed.sock` : `${file}.feed`
    if (Buffer.byteLength(feed) > MAX_IPC_PATH) {
      throw new StewardError('RPC_ENDPOINT_FAILED', `The telemetry feed's socket path ${feed} is longer than ${MAX_IPC_PATH} bytes, the limit of Unix sockets.`, {
        suggestions: ['Use a shorter state_dir or rpc_listen path.'],
      })
    }
    return `ipc://${feed}`
  }
  const tcp = /^tcp:\/\/(.+):(\d+|\*)$/.exec(rpcEndpoint)
  if (tcp === null) throw new StewardError('RPC_ENDPOINT_FAILED', `No telemetry feed can be derived from the endpoint ${rpcEndpoint}.`)
  return `tcp://${tcp[1]}:*`
}
