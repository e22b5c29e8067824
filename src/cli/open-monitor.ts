import type {StewardConfig} from '../config/load-config.js'
import type {MonitorClient, MonitorClientOptions} from '../monitor/monitor-client.js'

/**
 * A MonitorClient on the configuration's store (STORE_NOT_FOUND when no host created it), with
 * the client key and down time it names; `close` closes both. ZeroMQ loads here, on first use.
 */
export async function openMonitor(
  config: StewardConfig,
  options: Pick<MonitorClientOptions, 'hosts' | 'topics'> = {},
): Promise<{client: MonitorClient; close: () => Promise<void>}> {
  const [{openStore}, {MonitorClient}, {readKeyFile}] = await Promise.all([import('../store/index.js'), import('../monitor/monitor-client.js'), import('../rpc/key-file.js')])
  const {options: settings} = config
  const store = await openStore({stateDir: settings.state_dir, lockTimeoutMs: settings.store_lock_timeout * 1000})
  try {
    const client = await MonitorClient.open({
      store,
      downTimeSeconds: settings.service_down_time,
      ...(settings.rpc_curve_client_key === '' ? {} : {clientKeys: readKeyFile(settings.rpc_curve_client_key)}),
      ...options,
    })
    return {
      client,
      close: async () => {
        await client.close()
        await store.close()
      },
    }
  } catch (error) {
    await store.close()
    throw error
  }
}
