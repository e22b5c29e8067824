import type {StewardConfig} from '../config/load-config.js'
import type {Logger} from '../log/logger.js'
import type {StateStore} from '../store/types.js'
import {StewardRpcClient} from './client.js'
import {ConnectionPool} from './connection-pool.js'
import {readKeyFile} from './key-file.js'
import type {LocalDispatcher} from './local-dispatcher.js'
import {TargetResolver} from './target-resolver.js'

/** An RPC client for a host (with its own services as `local`) or for the CLI (without). */
export function createRpcClient(options: {config: StewardConfig; store: StateStore; log: Logger; local?: LocalDispatcher}): {client: StewardRpcClient; close: (lingerMs?: number) => Promise<void>; peerConnections: () => number} {
  const {config, store, log, local} = options
  const keyFile = config.options.rpc_curve_client_key
  const pool = new ConnectionPool(log, keyFile === '' ? undefined : readKeyFile(keyFile), config.options.rpc_max_message_size)
  const client = new StewardRpcClient({
    caller: config.options.host,
    resolver: new TargetResolver(store, config.options.service_down_time),
    pool,
    ...(local === undefined ? {} : {local}),
    timeoutSeconds: config.options.rpc_response_timeout,
    log,
  })
  return {client, close: (lingerMs) => pool.close(lingerMs), peerConnections: () => pool.size}
}
