import {Manager, type RequestContext} from 'steward'
import {SysinfoDriver, type Sample} from './sysinfo-driver.js'

const HISTORY_LENGTH = 60

/**
 * Samples the machine every 10 seconds through the configured driver (`sysinfo.driver`,
 * `node-os` or `procfs`), keeps the last samples in memory and the latest in the state store.
 */
export class SysinfoManager extends Manager {
  static override rpcApiVersion = '1.0'
  static override rpcMethods = ['latest', 'history']
  static override periodicTasks = {
    sample: {spacing: 10, runImmediately: true},
  }

  private driver: SysinfoDriver | undefined
  private readonly samples: Sample[] = []

  override async initHost(): Promise<void> {
    this.driver = await this.context.loadDriver(SysinfoDriver, this.context.config.driver ?? 'node-os')
    await this.driver.doSetup()
    this.log.info('sysinfo driver ready', {driver: this.context.config.driver})
  }

  override isServiceReady(): boolean {
    return this.driver?.initialized ?? false
  }

  async sample(): Promise<void> {
    if (this.driver === undefined) return
    const sample = await this.driver.sample()
    this.samples.push(sample)
    if (this.samples.length > HISTORY_LENGTH) this.samples.shift()
    await this.context.collection('samples').put({id: this.host, ...sample})
    this.log.debug('sampled', {load1: sample.loadAverage[0], availableMiB: Math.round(sample.memoryAvailableBytes / 2 ** 20)})
  }

  /** The latest sample (RPC). */
  latest(_ctx: RequestContext): Sample | null {
    return this.samples.at(-1) ?? null
  }

  /** Up to the last 60 samples, oldest first (RPC). */
  history(_ctx: RequestContext): Sample[] {
    return [...this.samples]
  }

  override async cleanupHost(): Promise<void> {
    await this.driver?.close()
  }
}
