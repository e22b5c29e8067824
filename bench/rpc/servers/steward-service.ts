// steward server as a host runs it: a Service on the `bench` topic whose manager (plugin/) runs in
// a worker-thread generation or inline, behind the host's RpcServer and LocalDispatcher. What the
// two add over servers/steward.ts (a bare dispatch function) is the cost of isolation.
//
//   node --import tsx bench/rpc/servers/steward-service.ts --endpoint tcp://127.0.0.1:0
//                                                          --isolation worker|inline [--profiler DIR --sample-ratio R --trace-rate-limit L]
//
// --profiler DIR turns the profiler on (profiler_enabled), its trace file under DIR/traces, with
// profiler_sample_ratio R and profiler_trace_rate_limit L.
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {loadConfig} from '../../../src/config/load-config.js'
import {InlineGenerations} from '../../../src/plugins/inline-generations.js'
import {PluginRegistry} from '../../../src/plugins/plugin-registry.js'
import {startTracing} from '../../../src/profiler/start-tracing.js'
import {WorkerGenerations} from '../../../src/plugins/worker-generations.js'
import {LocalDispatcher} from '../../../src/rpc/local-dispatcher.js'
import {createRpcClient} from '../../../src/rpc/rpc-client-factory.js'
import {RpcServer} from '../../../src/rpc/server.js'
import {Service} from '../../../src/service/service.js'
import {openMemoryStore} from '../../../src/store/open-store.js'
import {argument, exitWithParent, printReady} from '../common.js'
import {benchLogger, MAX_MESSAGE_SIZE, SERVER_NAME, TOPIC} from '../steward-parts.js'

const endpoint = argument('endpoint')
const isolation = argument('isolation', 'worker')
if (isolation !== 'worker' && isolation !== 'inline') throw new Error(`--isolation worker|inline, not ${isolation}`)

const pluginDir = path.dirname(fileURLToPath(new URL('../plugin/package.json', import.meta.url)))
const config = loadConfig({
  cwd: mkdtempSync(path.join(tmpdir(), 'steward-bench-')),
  env: {},
  flags: {host: SERVER_NAME, plugin_dirs: [path.dirname(pluginDir)], plugin_isolation: isolation, report_interval: 0, periodic_interval: 0, cleanup_interval: 0},
})
const profilerDir = process.argv.includes('--profiler') ? argument('profiler') : undefined
const stopTracing =
  profilerDir === undefined
    ? undefined
    : startTracing({host: SERVER_NAME, stateDir: profilerDir, otlpEndpoint: '', fileMaxSize: 64 * 1024 * 1024, fileMaxFiles: 1, sampleRatio: Number(argument('sample-ratio', '1')), traceRateLimit: Number(argument('trace-rate-limit', '0'))})
const store = openMemoryStore()
const dispatcher = new LocalDispatcher()
const {client: rpc} = createRpcClient({config, store, log: benchLogger, local: dispatcher})
const generations =
  isolation === 'worker' ? new WorkerGenerations({config, store, rpc}) : new InlineGenerations({source: PluginRegistry.discover(config.options), config, store, rpc})
const service = Service.create({config, store, generations, log: benchLogger, dispatcher, rpc}, {topic: TOPIC})
await service.start()
const server = new RpcServer({endpoint, dispatcher, log: benchLogger, host: SERVER_NAME, maxMessageSize: MAX_MESSAGE_SIZE})
await server.bind()
exitWithParent(async () => {
  await server.close()
  await service.stop({graceful: false})
  await generations.close()
  await stopTracing?.()
})
printReady({endpoint: server.endpoint, nodeID: SERVER_NAME})
