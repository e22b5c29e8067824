import type {StewardConfig} from '../config/load-config.js'
import type {Logger} from '../log/logger.js'

/** Options a running host applies on SIGHUP; the others need a restart. */
const reloadableOptions = new Set(['services', 'plugin_dirs', 'plugin_watch', 'enable_new_services', 'graceful_shutdown_timeout', 'service_down_time', 'rpc_response_timeout', 'api_pipeline', 'api_token_file', 'api_max_body_size', 'log_level', 'log_format'])

/** Take the reloadable parts of a configuration read anew into the one the host's services share. */
export function applyReloadedConfig(config: StewardConfig, fresh: StewardConfig, log: Logger): void {
  const options = config.options as unknown as Record<string, unknown>
  const freshOptions = fresh.options as unknown as Record<string, unknown>
  const kept: string[] = []
  for (const [key, value] of Object.entries(freshOptions)) {
    if (JSON.stringify(options[key]) === JSON.stringify(value)) continue
    if (reloadableOptions.has(key)) options[key] = value
    else kept.push(key)
  }
  if (kept.length > 0) log.warn(`configuration reloaded; ${kept.join(', ')} changed but take effect at the next start`)
  config.topics = fresh.topics
  config.sources = fresh.sources
  config.file = fresh.file
}
