/**
 * The TUI's actions on a real deployment: enable and disable through the state store (as
 * `steward services enable|disable`), reload and restart through the host's own topic (as
 * `steward services reload`), calls through RPC (as `steward call`).
 */
import {withRpcClient} from '../cli/with-rpc-client.js'
import {withStore} from '../cli/with-store.js'
import type {StewardConfig} from '../config/load-config.js'
import {createContext, type RequestContext, type RpcClient} from '../rpc/context.js'
import {HOST_TOPIC} from '../rpc/target-resolver.js'
import type {ServiceSummary} from '../service/host-topic.js'
import {disableService, enableService} from '../service/service-admin.js'
import type {Actions} from './monitor-source.js'

export interface MonitorActionsOptions {
  /**
   * An RPC client to reuse, such as the running host's own (`steward start`); by default each
   * action opens a client on the configuration's store and closes it afterwards.
   */
  rpc?: RpcClient
}

/** The trigger a restart records in the service's last reload. */
export const RESTART_TRIGGER = 'restart'

export function createMonitorActions(config: StewardConfig, options: MonitorActionsOptions = {}): Actions {
  const {rpc} = options
  const withRpc = <T>(fn: (client: RpcClient, ctx: RequestContext) => Promise<T>): Promise<T> =>
    rpc === undefined ? withRpcClient(config, fn) : fn(rpc, createContext(`monitor@${config.options.host}`))
  const hostTopic = (host: string, args: Record<string, unknown>) =>
    withRpc((client, ctx) => client.prepare({topic: HOST_TOPIC, server: host}).call(ctx, 'reload_service', args)) as Promise<ServiceSummary>
  return {
    async enable(host, binary) {
      await withStore(config, (store) => enableService(store, host, binary))
    },
    async disable(host, binary, reason) {
      await withStore(config, (store) => disableService(store, host, binary, reason.trim() === '' ? undefined : reason))
    },
    reload: (host, topic) => hostTopic(host, {topic}),
    restart: (host, topic) => hostTopic(host, {topic, trigger: RESTART_TRIGGER}),
    call: (topic, server, method, args) => withRpc((client, ctx) => client.prepare({topic, server}).call(ctx, method, args)),
  }
}
