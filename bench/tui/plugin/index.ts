// The manager every service of the TUI benchmark runs (bench/tui/run.ts: 200 topics a host, all
// of this manager): `work` answers at once most of the time and after a few milliseconds
// sometimes, fails now and then, and logs a line for one call in 20, so the monitor's calls/s, p99
// and error columns move and its log tail fills and turns over; a periodic task gives the
// services' snapshots periodic task statuses to carry.
import {definePlugin, Manager} from 'steward'

/** Shares of calls that wait 1–20 ms before answering, that fail, and that log a line. */
const SLOW_SHARE = 0.05
const FAILING_SHARE = 0.002
const LOGGED_SHARE = 0.05

class TuiBenchManager extends Manager {
  static override rpcApiVersion = '1.0'
  static override rpcMethods = ['work']
  static override periodicTasks = {tick: {spacing: 30}}
  private calls = 0

  async work(_ctx: unknown, request: {seq: number}): Promise<{seq: number; calls: number}> {
    this.calls++
    const draw = Math.random()
    if (draw < FAILING_SHARE) throw new Error(`bench failure of call ${request.seq}`)
    if (Math.random() < LOGGED_SHARE) this.log.info('served a call', {seq: request.seq, calls: this.calls})
    if (draw < FAILING_SHARE + SLOW_SHARE) await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * 19))
    return {seq: request.seq, calls: this.calls}
  }

  tick(): void {
    this.log.debug('tick', {calls: this.calls})
  }
}

export default definePlugin({name: 'bench-tui', steward: '*', managers: {'tui-bench': TuiBenchManager}})
