import type {CoreOptions} from '../config/options.js'
import type {Logger} from '../log/logger.js'
import {traceFilePath} from './span-record.js'

/**
 * Start the profiler of a host process when `profiler_enabled` is on (Manila's setup_profiler, once
 * per process rather than per service: the services of a host share its exporters). OpenTelemetry
 * is imported only then, so a host without it, and every CLI command, never loads it. Resolves to
 * the function that flushes and stops it, or undefined when the profiler is off.
 */
export async function startHostProfiler(options: CoreOptions, log: Logger, filePart?: string): Promise<(() => Promise<void>) | undefined> {
  if (!options.profiler_enabled) return undefined
  const {startTracing, otlpTracesUrl} = await import('./start-tracing.js')
  const stop = startTracing({
    host: options.host,
    ...(filePart === undefined ? {} : {filePart}),
    stateDir: options.state_dir,
    otlpEndpoint: options.profiler_otlp_endpoint,
    fileMaxSize: options.profiler_file_max_size,
    fileMaxFiles: options.profiler_file_max_files,
    sampleRatio: options.profiler_sample_ratio,
    traceRateLimit: options.profiler_trace_rate_limit,
  })
  const otlp = options.profiler_otlp_endpoint === '' ? '' : ` and ${otlpTracesUrl(options.profiler_otlp_endpoint)}`
  log.warn(`the profiler is on: spans go to ${traceFilePath(options.state_dir, options.host, filePart)}${otlp}`)
  return stop
}
