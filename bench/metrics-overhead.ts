// What Prometheus scraping costs the hosts it scrapes (issue 8): the RPC throughput of real hosts
// whose /metrics is scraped every second, against the same hosts not scraped, in the same run.
//
//   npm run build && node --import tsx bench/metrics-overhead.ts [--hosts 2] [--calls 40000]
//                                       [--inflight 100] [--rounds 4] [--warmup 20000]
//                                       [--interval 1] [--idle 20] [--pin cross|off]
//
// Starts --hosts host processes (`steward start bench api`, bin/run.js over dist/, so build first),
// each running the benchmark's `bench` service (bench/rpc/plugin) in a worker generation and the
// HTTP API on a port the system picks, with a file state store and heartbeats every second. This
// process is the client: the real RPC client over the store, --calls calls a round with
// --inflight in flight, spread over the hosts by the topic's round-robin. Rounds alternate in
// ABBA order (none, scraped, scraped, none, …) so drift in the machine's load falls on both; in a
// "scraped" round this process also GETs every host's /metrics every --interval seconds, as
// Prometheus would (a 1 s interval is 15 times Prometheus' default rate), and checks each answer.
//
// Printed per round: calls/s, the hosts' CPU (utime + stime from /proc) per 1,000 calls, and for
// scraped rounds the scrapes and their mean time. Then the hosts' CPU while idle for --idle
// seconds, not scraped and scraped (what a scrape costs a host, without the noise of the calls
// around it). The summary is the median of each; the target is
// scraped ≥ 0.95× none for calls/s, marked PASS or FAIL. The exit code is 0 whether or not it is
// met (1 when the benchmark cannot run). --pin cross (default) pins this process to CPU 0 and the
// hosts to CPU 1 with taskset; off leaves placement to the scheduler.
import {parseHostOverheadOptions, runHostOverhead} from './host-overhead.js'

interface Scrapes {
  scrapes: number
  meanMs: number
}

const options = parseHostOverheadOptions({interval: '1'})

/** Scrape every URL every interval until stopped; the scrapes made and their mean time in ms. */
function scrapeEvery(urls: readonly string[], seconds: number): () => Promise<Scrapes> {
  let scrapes = 0
  let totalMs = 0
  let failure: Error | undefined
  const scrapeAll = async (): Promise<void> => {
    await Promise.all(
      urls.map(async (url) => {
        const started = performance.now()
        const answer = await fetch(url)
        const text = await answer.text()
        if (answer.status !== 200 || !text.includes('steward_rpc_calls_total')) throw new Error(`GET ${url}: ${answer.status} ${text.slice(0, 200)}`)
        totalMs += performance.now() - started
        scrapes++
      }),
    ).catch((error: unknown) => void (failure ??= error as Error))
  }
  let running = scrapeAll()
  const timer = setInterval(() => void (running = running.then(scrapeAll)), seconds * 1000)
  return async () => {
    clearInterval(timer)
    await running
    if (failure !== undefined) throw failure
    return {scrapes, meanMs: scrapes === 0 ? 0 : totalMs / scrapes}
  }
}

await runHostOverhead<Scrapes>(options, {
  needs: {distFile: 'metrics/host-metrics.js', missing: 'bench/metrics-overhead: dist/ has no metrics. Build first: npm run build'},
  title: 'Metrics overhead',
  tempPrefix: 'steward-metrics-bench-',
  topics: ['api'],
  config: {api_listen_port: 0},
  settings: `scrape every ${options.interval} s`,
  placement: 'client on CPU 0, hosts on CPU 1',
  async observe({names, store}) {
    const urls = (await store.listHosts()).filter((host) => names.includes(host.name)).map((host) => `${host.apis?.find((api) => api.name === 'api')?.url}/metrics`)
    // The first scrape of a host builds its registry: done before measuring, as a running Prometheus would have.
    await scrapeEvery(urls, options.interval)()
    return {
      label: 'scraped',
      attach: async () => scrapeEvery(urls, options.interval),
      roundNote: ({scrapes, meanMs}) => `  ${scrapes} scrapes, ${meanMs.toFixed(1)} ms each`,
      idleLine: (seconds, none, scraped, {scrapes, meanMs}) =>
        `idle ${seconds} s: hosts' CPU ${none.toFixed(2)} ms a second each not scraped, ${scraped.toFixed(2)} scraped every ${options.interval} s (${scrapes} scrapes, ${meanMs.toFixed(1)} ms each as the scraper saw them)`,
    }
  },
  summary: {none: 'not scraped', observed: `/metrics scraped every ${options.interval} s`, ratio: 'scraped'},
})
