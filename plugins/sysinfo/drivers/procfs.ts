import {access, readFile} from 'node:fs/promises'
import {SysinfoDriver, type Sample} from '../sysinfo-driver.js'

/** Samples from Linux's /proc (MemAvailable counts reclaimable cache, unlike os.freemem). */
export class ProcfsDriver extends SysinfoDriver {
  private get root(): string {
    return typeof this.config.procfs_root === 'string' ? this.config.procfs_root : '/proc'
  }

  override async doSetup(): Promise<void> {
    try {
      await access(`${this.root}/meminfo`)
    } catch {
      throw new Error(`${this.root}/meminfo is not readable: the procfs driver needs Linux; use the node-os driver elsewhere`)
    }
    this.initialized = true
  }

  async sample(): Promise<Sample> {
    const [loadavg, meminfo, uptime] = await Promise.all(['loadavg', 'meminfo', 'uptime'].map((file) => readFile(`${this.root}/${file}`, 'utf8')))
    const [one = 0, five = 0, fifteen = 0] = loadavg!.split(/\s+/).slice(0, 3).map(Number)
    const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(meminfo!)?.[1] ?? 0) * 1024
    return {
      loadAverage: [one, five, fifteen],
      memoryTotalBytes: kib('MemTotal'),
      memoryAvailableBytes: kib('MemAvailable'),
      uptimeSeconds: Number(uptime!.split(/\s+/)[0]),
      takenAt: new Date().toISOString(),
    }
  }
}
