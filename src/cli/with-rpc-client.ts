import type {StewardConfig} from '../config/load-config.js'
import {silentLogger} from '../log/logger.js'
import {createContext, type RequestContext, type RpcClient} from '../rpc/context.js'
import {withStore} from './with-store.js'

const CAST_LINGER_MS = 2000

/** Run fn with an RPC client that finds hosts in the configuration's state store. */
export async function withRpcClient<T>(config: StewardConfig, fn: (client: RpcClient, ctx: RequestContext) => Promise<T>): Promise<T> {
  // Loaded here: only the commands that talk RPC pay for ZeroMQ.
  const {createRpcClient} = await import('../rpc/rpc-client-factory.js')
  return withStore(config, async (store) => {
    const {client, close} = createRpcClient({config, store, log: silentLogger})
    try {
      return await fn(client, createContext(`cli@${config.options.host}`))
    } finally {
      // Give a cast just sent a moment to leave before the process exits.
      await close(CAST_LINGER_MS)
    }
  })
}
