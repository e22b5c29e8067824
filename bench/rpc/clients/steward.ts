// steward client: the real client path (src/rpc/client.ts): prepare({topic}) → a RequestContext per
// call → target resolution (TargetResolver, a snapshot reused for a second) → the connection pool
// → one DEALER per host with coalesced sends, correlation ids and a response timer per call.
//
// One thing differs from a host: the resolver reads the hosts table from memory instead of the
// state store file, holding the benchmark's server(s) as live services of the `bench` topic. The
// store is read once a second at most, so a file store would cost about the same here; what it
// would add is its own start-up and the heartbeats that keep the records fresh.
import {StewardRpcClient} from '../../../src/rpc/client.js'
import {ConnectionPool} from '../../../src/rpc/connection-pool.js'
import {startTracing} from '../../../src/profiler/start-tracing.js'
import {createContext} from '../../../src/rpc/context.js'
import {TargetResolver} from '../../../src/rpc/target-resolver.js'
import type {HostRecord, ServiceRecord, StateStore} from '../../../src/store/types.js'
import type {Answer, BenchClient, FanoutClient, Payload, ReadyInfo} from '../common.js'
import {benchLogger, CALLER, RESPONSE_TIMEOUT_SECONDS, SERVER_NAME, TOPIC} from '../steward-parts.js'

interface BenchHost {
  /** The service host name, also its host process name. */
  server: string
  endpoint: string
}

/** A hosts table in memory: every bench host live, with one `bench` service. */
function memoryTable(hosts: readonly BenchHost[]): Pick<StateStore, 'listServices' | 'listHosts' | 'location'> {
  const startedAt = new Date().toISOString()
  return {
    location: 'memory',
    listServices: async (): Promise<ServiceRecord[]> => {
      const now = new Date().toISOString()
      return hosts.map((host, id) => ({
        id: id + 1,
        host: host.server,
        binary: 'steward-bench',
        topic: TOPIC,
        zone: 'nova',
        disabled: false,
        disabledReason: null,
        reportCount: 1,
        createdAt: startedAt,
        updatedAt: now,
        stoppedAt: null,
      }))
    },
    listHosts: async (): Promise<HostRecord[]> => {
      const now = new Date().toISOString()
      return hosts.map((host) => ({name: host.server, endpoint: host.endpoint, publicKey: null, pid: 0, version: '0.0.0', startedAt, updatedAt: now, stoppedAt: null}))
    },
  }
}

function stewardClient(hosts: readonly BenchHost[]): {client: StewardRpcClient; pool: ConnectionPool} {
  const pool = new ConnectionPool(benchLogger)
  const client = new StewardRpcClient({
    caller: CALLER,
    resolver: new TargetResolver(memoryTable(hosts), 60),
    pool,
    timeoutSeconds: RESPONSE_TIMEOUT_SECONDS,
    log: benchLogger,
  })
  return {client, pool}
}

/** `call` → the server's `echo`, `cast` → its `cast`, each with a context of its own. */
export async function connectSteward(ready: ReadyInfo): Promise<BenchClient> {
  const {client, pool} = stewardClient([{server: ready.nodeID ?? SERVER_NAME, endpoint: ready.endpoint}])
  const prepared = client.prepare({topic: TOPIC})
  const caller = client.options.caller
  return {
    // The call's own promise, not an async wrapper's: the other clients add no promise hop either.
    call: (payload: Payload) => prepared.call(createContext(caller), 'echo', payload as unknown as Record<string, unknown>) as Promise<Answer>,
    cast: (payload: Payload) => prepared.cast(createContext(caller), 'cast', payload as unknown as Record<string, unknown>),
    close: () => pool.close(),
  }
}

/** A `fanout: true` cast to the `bench` topic, whose services are the hosts `bench-host-<index>`. */
export async function connectStewardFanout(endpoints: readonly string[]): Promise<FanoutClient> {
  const {client, pool} = stewardClient(endpoints.map((endpoint, index) => ({server: `bench-host-${index}`, endpoint})))
  const prepared = client.prepare({topic: TOPIC, fanout: true})
  const caller = client.options.caller
  return {
    cast: (payload: Payload) => prepared.cast(createContext(caller), 'cast', payload as unknown as Record<string, unknown>),
    close: () => pool.close(),
  }
}

/**
 * connectSteward with the profiler on in this process for as long as the client is open: every
 * sampled call then makes a client span, written to a trace file under `stateDir`.
 */
export async function connectStewardTraced(ready: ReadyInfo, stateDir: string, sampling: {sampleRatio: number; traceRateLimit: number}): Promise<BenchClient> {
  const stopTracing = startTracing({host: CALLER, stateDir, otlpEndpoint: '', fileMaxSize: 64 * 1024 * 1024, fileMaxFiles: 1, ...sampling})
  const client = await connectSteward(ready)
  return {
    ...client,
    close: async () => {
      await client.close()
      await stopTracing()
    },
  }
}
