import os from 'node:os'
import {SysinfoDriver, type Sample} from '../sysinfo-driver.js'

/** Samples through Node's os module: works on every platform. */
export class NodeOsDriver extends SysinfoDriver {
  override async doSetup(): Promise<void> {
    this.initialized = true
  }

  async sample(): Promise<Sample> {
    const [one = 0, five = 0, fifteen = 0] = os.loadavg()
    return {
      loadAverage: [one, five, fifteen],
      memoryTotalBytes: os.totalmem(),
      memoryAvailableBytes: os.freemem(),
      uptimeSeconds: os.uptime(),
      takenAt: new Date().toISOString(),
    }
  }
}
