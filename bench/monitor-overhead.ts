// What a monitor costs the hosts it watches (issue 5): the RPC throughput of real hosts with
// `steward monitor` attached, against the same hosts with none, in the same run.
//
//   npm run build && node --import tsx bench/monitor-overhead.ts [--hosts 2] [--calls 40000]
//                                       [--inflight 100] [--rounds 4] [--warmup 20000]
//                                       [--idle 20] [--pin cross|off]
//
// Starts --hosts host processes (`steward start bench`, bin/run.js over dist/, so build first),
// each running the benchmark's `bench` service (bench/rpc/plugin) in a worker generation, as
// `steward start` runs any service, with a file state store and heartbeats every second. This
// process is the client: the real RPC client over the store, --calls calls a round with
// --inflight in flight, spread over the hosts by the topic's round-robin. Rounds alternate in
// ABBA order (none, monitor, monitor, none, …) so drift in the machine's load falls on both;
// a "monitor" round first starts `steward monitor` (stdout not a terminal: it subscribes to every
// topic, gets a snapshot of each host every second and prints their log lines) and waits until it
// says it watches every host, and stops it after the round.
//
// Printed per round: calls/s, and the hosts' CPU (utime + stime from /proc, all their threads)
// per 1,000 calls. Then the hosts' CPU while idle for --idle seconds, without and with a monitor
// (what its snapshots cost: the one thing a monitor adds to a host that logs nothing). The summary is the median of each; the target is monitor ≥ 0.95× none for
// calls/s, marked PASS or FAIL. The exit code is 0 whether or not it is met (1 when the benchmark
// cannot run). --pin cross (default) pins this process and the monitor to CPU 0 and the hosts to
// CPU 1 with taskset; off leaves placement to the scheduler.
import {parseHostOverheadOptions, runHostOverhead, stopProcess} from './host-overhead.js'

const options = parseHostOverheadOptions()
await runHostOverhead(options, {
  needs: {distFile: 'commands/monitor.js', missing: 'bench/monitor-overhead: dist/ has no monitor command. Build first: npm run build'},
  title: 'Monitor overhead',
  tempPrefix: 'steward-monitor-bench-',
  placement: 'client and monitor on CPU 0, hosts on CPU 1',
  observe: async ({startSteward}) => ({
    label: 'monitor',
    async attach() {
      const monitor = await startSteward(['monitor'], 0, new RegExp(`Watching ${options.hosts} host\\(s\\)`))
      return () => stopProcess(monitor)
    },
    // What a monitor costs an idle host: its snapshots, one a second.
    idleLine: (seconds, none, watched) => `idle ${seconds} s: hosts' CPU ${none.toFixed(2)} ms a second each without a monitor, ${watched.toFixed(2)} with one`,
  }),
  summary: {none: 'no monitor', observed: '`steward monitor` attached', ratio: 'monitor'},
})
