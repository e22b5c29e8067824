import {Driver} from 'steward'

/** One reading of the machine. */
export interface Sample {
  /** 1, 5 and 15 minute load averages. */
  loadAverage: [number, number, number]
  memoryTotalBytes: number
  memoryAvailableBytes: number
  uptimeSeconds: number
  takenAt: string
}

/** The driver family of the sysinfo service: every driver can take a sample. */
export abstract class SysinfoDriver extends Driver {
  static override requiredMethods = ['sample']

  abstract sample(): Promise<Sample>
}
