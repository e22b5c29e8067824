import type {GenerationDetails} from '../plugins/generation.js'
import {activeTracing} from '../profiler/tracing.js'
import type {Service} from '../service/service.js'
import type {HostSnapshot, ServiceTelemetry} from './telemetry.js'

/** What a snapshot is made of: the host's name, its RPC endpoint and the services it runs now. */
export interface SnapshotSource {
  name: string
  endpoint: string
  services: readonly Service[]
}

/** How long a snapshot waits for a generation's details. */
const DETAILS_WAIT_MS = 500

/**
 * Builds a host's snapshots for the telemetry feed. CPU is measured between two snapshots (one
 * second apart while a monitor listens), from process.cpuUsage. Periodic tasks, drivers and
 * capabilities come from each service's generation; one that does not answer in time (hung, being
 * replaced) shows what it reported last, so a hung plugin never holds up the snapshot of the others.
 */
export class HostSnapshotBuilder {
  private lastCpu = process.cpuUsage()
  private lastAt = performance.now()
  private readonly lastDetails = new WeakMap<Service, GenerationDetails>()

  constructor(private readonly source: () => SnapshotSource) {}

  async build(): Promise<HostSnapshot> {
    const {name, endpoint, services} = this.source()
    const serviceTelemetry = await Promise.all(services.map((service) => this.service(service)))
    const memory = process.memoryUsage()
    const now = performance.now()
    const cpu = process.cpuUsage(this.lastCpu)
    const elapsedMs = now - this.lastAt
    this.lastCpu = process.cpuUsage()
    this.lastAt = now
    return {
      at: new Date().toISOString(),
      host: {
        name,
        pid: process.pid,
        endpoint,
        uptimeSeconds: process.uptime(),
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        cpuPercent: elapsedMs > 0 ? ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100 : 0,
      },
      services: serviceTelemetry,
    }
  }

  private async service(service: Service): Promise<ServiceTelemetry> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), DETAILS_WAIT_MS)))
    const answered = await Promise.race([service.details().catch(() => undefined), late])
    clearTimeout(timer)
    if (answered !== undefined) this.lastDetails.set(service, answered)
    const details = this.lastDetails.get(service)
    const contract = service.contract
    return {
      host: service.host,
      binary: service.binary,
      topic: service.topic,
      manager: service.managerName,
      plugin: contract === undefined ? null : {name: contract.plugin.name, version: contract.plugin.version},
      rpcApiVersion: contract?.rpcApiVersion ?? null,
      lifecycle: service.state,
      generation: service.generationStatus() ?? null,
      periodicTasks: details?.periodicTasks ?? [],
      drivers: details?.drivers ?? [],
      capabilities: details?.capabilities ?? null,
      rpc: service.rpcStats.snapshot(),
      // Kept as spans end, so reading them is a copy of five entries at most.
      ...(activeTracing === undefined ? {} : {slowTraces: activeTracing.slowest(service)}),
    }
  }
}
