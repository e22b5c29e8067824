import os from 'node:os'
import path from 'node:path'

/** The core options of a host. Topic sections (`"<topic>": {manager, driver, …}`) come beside them. */
export interface CoreOptions {
  host: string
  state_dir: string
  services: string[]
  plugin_dirs: string[]
  plugin_isolation: 'worker' | 'inline'
  plugin_watch: boolean
  report_interval: number
  periodic_interval: number
  periodic_fuzzy_delay: number
  service_down_time: number
  cleanup_interval: number
  enable_new_services: boolean
  graceful_shutdown_timeout: number
  storage_availability_zone: string
  store_lock_timeout: number
  log_level: LogLevel
  log_format: 'text' | 'json'
  log_file_max_size: number
  log_file_max_files: number
  worker_min_uptime: number
  worker_max_restarts: number
  rpc_listen: string
  rpc_response_timeout: number
  rpc_max_message_size: number
  rpc_curve_server_key: string
  rpc_curve_client_key: string
  rpc_curve_allowed_clients: string[]
  api_listen: string
  api_listen_port: number
  api_workers: number
  api_token_file: string
  api_max_body_size: number
  api_pipeline: string[]
  profiler_enabled: boolean
  profiler_otlp_endpoint: string
  profiler_sample_ratio: number
  profiler_trace_rate_limit: number
  profiler_file_max_size: number
  profiler_file_max_files: number
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export type OptionType =
  | {kind: 'number'; min: number; max?: number; integer?: boolean}
  | {kind: 'boolean'}
  | {kind: 'string'; optional?: boolean}
  | {kind: 'path'; optional?: boolean}
  | {kind: 'enum'; values: readonly string[]}
  | {kind: 'list'}

export interface OptionSpec<K extends keyof CoreOptions = keyof CoreOptions> {
  type: OptionType
  /** The default, or a function computing it (host name, XDG directories). */
  default: CoreOptions[K] | (() => CoreOptions[K])
  /** Shown in `steward config show` for computed defaults, and in docs/configuration.md. */
  defaultText?: string
  description: string
  /** A command-line flag that sets it, when one exists. */
  flag?: string
}

/** The environment variable that sets a core option. */
export function envName(key: string): string {
  return `STEWARD_${key.toUpperCase()}`
}

function defaultStateDir(): string {
  const base = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state')
  return path.join(base, 'steward')
}

const seconds = {kind: 'number', min: 0} as const

/**
 * Every core option, its type, default and meaning. docs/configuration.md lists the same table;
 * test/config-doc.test.ts keeps them in step.
 */
export const coreOptions: {[K in keyof CoreOptions]: OptionSpec<K>} = {
  host: {
    type: {kind: 'string'},
    default: () => os.hostname(),
    defaultText: 'the machine host name',
    description: 'Name of this host; services are recorded as (host, binary).',
    flag: '--host',
  },
  state_dir: {
    type: {kind: 'path'},
    default: defaultStateDir,
    defaultText: '$XDG_STATE_HOME/steward (~/.local/state/steward)',
    description: 'Directory of the state file, lock files and sockets. Relative paths in a config file are relative to that file.',
    flag: '--state-dir',
  },
  services: {
    type: {kind: 'list'},
    default: [],
    description: 'Topics that `steward start` runs when none are given on the command line.',
  },
  plugin_dirs: {
    type: {kind: 'list'},
    default: [],
    description: 'Extra directories to search for plugins, after the bundled `plugins/` directory.',
  },
  plugin_isolation: {
    type: {kind: 'enum', values: ['worker', 'inline']},
    default: 'worker',
    description: 'Where managers and drivers run: `worker`, a worker thread per service generation (isolated, hot-reloadable), or `inline`, in the host thread (lowest latency, no isolation, no reload).',
  },
  plugin_watch: {
    type: {kind: 'boolean'},
    default: true,
    description: 'Watch plugin sources and hot-reload the services that use a plugin when one of its files changes (worker isolation only).',
  },
  report_interval: {
    type: seconds,
    default: 10,
    description: 'Seconds between heartbeats of each service. 0 disables heartbeats.',
  },
  periodic_interval: {
    type: seconds,
    default: 60,
    description: 'Longest time in seconds between two runs of the periodic task loop. 0 disables periodic tasks.',
  },
  periodic_fuzzy_delay: {
    type: seconds,
    default: 60,
    description: 'The first periodic run waits a random time in [0, this] seconds, so hosts do not run in step.',
  },
  service_down_time: {
    type: {kind: 'number', min: 1},
    default: 60,
    description: 'A service whose last heartbeat is older than this many seconds reads as down.',
  },
  cleanup_interval: {
    type: seconds,
    default: 1800,
    description: 'Seconds between clean-ups of stopped records of the same topic. 0 disables clean-up.',
  },
  enable_new_services: {
    type: {kind: 'boolean'},
    default: true,
    description: 'Whether a service seen for the first time is recorded enabled.',
  },
  graceful_shutdown_timeout: {
    type: seconds,
    default: 60,
    description: 'How long a graceful stop waits for in-flight calls and running periodic tasks. 0 waits forever.',
  },
  storage_availability_zone: {
    type: {kind: 'string'},
    default: 'nova',
    description: 'Availability zone recorded for the services of this host.',
  },
  store_lock_timeout: {
    type: {kind: 'number', min: 0.1},
    default: 15,
    description: 'Seconds to wait for the state file lock before failing with STORE_LOCK_TIMEOUT. The default outlasts a stale lock (10 s) left by a crashed process.',
  },
  log_level: {
    type: {kind: 'enum', values: ['debug', 'info', 'warn', 'error']},
    default: 'info',
    description: 'Least severe log level written.',
  },
  log_format: {
    type: {kind: 'enum', values: ['text', 'json']},
    default: 'text',
    description: 'Log lines as readable text or as one JSON object per line.',
  },
  log_file_max_size: {
    type: {kind: 'number', min: 1024, integer: true},
    default: 10_485_760,
    description: 'Bytes a background host (`steward start --detach`) writes to `<state_dir>/logs/<host>.log` before rotating it to `<host>.log.1`.',
  },
  log_file_max_files: {
    type: {kind: 'number', min: 0, integer: true},
    default: 5,
    description: 'Rotated log files a background host keeps (`<host>.log.1` … `.N`); older ones are deleted.',
  },
  worker_min_uptime: {
    type: seconds,
    default: 5,
    description: 'A worker process (`api_workers` > 1) that exits before it is ready, or this many seconds after, died unstable: it is restarted after a backoff (0.1 s doubling to 15 s).',
  },
  worker_max_restarts: {
    type: {kind: 'number', min: 0, integer: true},
    default: 5,
    description: 'Unstable exits in a row after which a worker process is left errored, not restarted (shown by `steward status`; SIGHUP tries again).',
  },
  rpc_listen: {
    type: {kind: 'string', optional: true},
    default: '',
    defaultText: 'ipc://<state_dir>/rpc/<host>.sock',
    description: 'The endpoint this host binds for RPC: `ipc:///path` or `tcp://address:port` (port 0 picks a free one). TCP beyond loopback requires CURVE keys.',
  },
  rpc_response_timeout: {
    type: {kind: 'number', min: 0.001},
    default: 60,
    description: 'Seconds a call waits for its reply before MESSAGING_TIMEOUT.',
  },
  rpc_max_message_size: {
    type: {kind: 'number', min: 1024, integer: true},
    default: 16_777_216,
    description: 'Largest message in bytes a host accepts; a peer that sends a larger one is disconnected.',
  },
  rpc_curve_server_key: {
    type: {kind: 'path', optional: true},
    default: '',
    defaultText: 'none (no CURVE)',
    description: 'Key file (from `steward keys generate`) of this host: its endpoint then requires CURVE.',
  },
  rpc_curve_client_key: {
    type: {kind: 'path', optional: true},
    default: '',
    defaultText: 'none (an ephemeral key)',
    description: 'Key file this host and the CLI present to hosts that require CURVE.',
  },
  rpc_curve_allowed_clients: {
    type: {kind: 'list'},
    default: [],
    description: 'Public keys (Z85) of the clients a CURVE host answers; empty answers any client with a valid handshake.',
  },
  api_listen: {
    type: {kind: 'string'},
    default: '127.0.0.1',
    description: 'Address the HTTP API (`steward start api`) listens on. Beyond loopback it requires `api_token_file`.',
  },
  api_listen_port: {
    type: {kind: 'number', min: 0, max: 65_535, integer: true},
    default: 8786,
    description: 'TCP port of the HTTP API; 0 picks a free one, recorded in the host\'s record (`steward hosts`).',
  },
  api_workers: {
    type: {kind: 'number', min: 1, integer: true},
    default: 1,
    description: 'Processes that serve the HTTP API, sharing its port: 1 serves it in the host\'s process; more forks worker processes (node:cluster) that the host respawns when they die (docs/daemon.md).',
  },
  api_token_file: {
    type: {kind: 'path', optional: true},
    default: '',
    defaultText: 'none (no token; loopback only)',
    description: 'File holding the bearer token every API route but /healthz requires (at least 16 characters). Required when `api_listen` is beyond loopback.',
  },
  api_max_body_size: {
    type: {kind: 'number', min: 1024, integer: true},
    default: 1_048_576,
    description: 'Largest request body in bytes the HTTP API accepts; a larger one gets 413.',
  },
  api_pipeline: {
    type: {kind: 'list'},
    default: ['metrics', 'request-log', 'core'],
    description: 'The HTTP API\'s middleware and route sets, in order: steward\'s (`metrics`, `request-log`, `core`) or plugins\' (`steward.routes`). A middleware applies to the route sets after it, so scrapes of `/metrics` before `request-log` are not logged.',
  },
  profiler_enabled: {
    type: {kind: 'boolean'},
    default: false,
    description: 'Trace RPC calls, casts, periodic tasks, reloads, driver calls and API requests with OpenTelemetry (Manila\'s `[profiler] enabled`): spans go to `<state_dir>/traces/<host>.jsonl` (`steward trace`), and to `profiler_otlp_endpoint` when set. See observability.md.',
  },
  profiler_otlp_endpoint: {
    type: {kind: 'string', optional: true},
    default: '',
    defaultText: 'none (trace files only)',
    description: 'OTLP/HTTP endpoint the profiler also sends spans to, as JSON: a base URL such as `http://127.0.0.1:4318` (`/v1/traces` is added) or the full traces URL. Jaeger, Tempo and the OpenTelemetry Collector accept it.',
  },
  profiler_sample_ratio: {
    type: {kind: 'number', min: 0, max: 1},
    default: 1,
    description: 'Share of new traces the profiler records, from 0 to 1, decided from each request\'s id so that every host takes the same decision and a trace is whole or absent; a request that arrives with a trace parent is recorded as its caller decided. See also `profiler_trace_rate_limit`.',
  },
  profiler_trace_rate_limit: {
    type: {kind: 'number', min: 0},
    default: 100,
    description: 'New traces a host starts recording per second at most, after `profiler_sample_ratio`; the requests it declines over the limit carry an unsampled trace parent, so the hosts they reach record none of them either. Each recorded call costs some 10 µs of CPU per host, so the limit keeps a busy host\'s cost near nothing while a quiet one records every request. 0 records every sampled trace.',
  },
  profiler_file_max_size: {
    type: {kind: 'number', min: 1024, integer: true},
    default: 10_485_760,
    description: 'Bytes a host writes to its trace file `<state_dir>/traces/<host>.jsonl` before rotating it to `<host>.jsonl.1`.',
  },
  profiler_file_max_files: {
    type: {kind: 'number', min: 0, integer: true},
    default: 5,
    description: 'Rotated trace files a host keeps (`<host>.jsonl.1` … `.N`); older ones are deleted.',
  },
}

export const coreOptionKeys = Object.keys(coreOptions) as Array<keyof CoreOptions>

/** Keys every topic section understands; plugins may add their own. */
export const topicSectionKeys = {
  manager: 'Name of the manager that runs the topic (default: the topic name).',
  driver: 'Name or module path of the driver the manager loads.',
  coordination: 'Whether the service takes cross-process file locks for `synchronized` (default false).',
} as const
