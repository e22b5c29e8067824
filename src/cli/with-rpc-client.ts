import type {StewardConfig} from '../config/load-config.js'
import {silentLogger} from '../log/logger.js'
import {createContext, type RequestContext, type RpcClient} from '../rpc/context.js'
import type {PluginCollection} from '../store/types.js'
import {withStore} from './with-store.js'

const CAST_LINGER_MS = 2000

/**
 * What a plugin's CLI command reaches the system through: the same as its API routes (ApiContext),
 * so a plugin writes each request once and serves it over HTTP and from the command line.
 */
export interface CommandContext {
  /** An RPC client that finds hosts in the state store. */
  readonly rpc: RpcClient
  /** The context to pass to `rpc` calls (caller `cli@<host>`). */
  readonly requestContext: RequestContext
  /** One of the plugin's own collections in the state store. */
  collection(name: string): PluginCollection
}

/**
 * Run fn with an RPC client and the plugin's collections of the configuration's state store
 * (STORE_NOT_FOUND when no host has created it).
 */
export async function withCommandContext<T>(config: StewardConfig, plugin: string, fn: (context: CommandContext) => Promise<T>): Promise<T> {
  // Loaded here: only the commands that talk RPC pay for ZeroMQ.
  const {createRpcClient} = await import('../rpc/rpc-client-factory.js')
  return withStore(config, async (store) => {
    const {client, close} = createRpcClient({config, store, log: silentLogger})
    try {
      return await fn({rpc: client, requestContext: createContext(`cli@${config.options.host}`), collection: (name) => store.collection(plugin, name)})
    } finally {
      // Give a cast just sent a moment to leave before the process exits.
      await close(CAST_LINGER_MS)
    }
  })
}

/** Run fn with an RPC client that finds hosts in the configuration's state store. */
export async function withRpcClient<T>(config: StewardConfig, fn: (client: RpcClient, ctx: RequestContext) => Promise<T>): Promise<T> {
  return withCommandContext(config, 'steward', ({rpc, requestContext}) => fn(rpc, requestContext))
}
