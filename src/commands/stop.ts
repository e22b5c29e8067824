import {setTimeout as sleep} from 'node:timers/promises'
import {Flags} from '@oclif/core'
import {StewardCommand} from '../cli/base-command.js'
import {StewardError} from '../errors/index.js'
import {runningHostPid} from '../service/host-lock.js'
import {isProcessAlive} from '../store/process-liveness.js'

export interface StopResult {
  host: string
  pid: number
  signal: 'SIGTERM' | 'SIGKILL'
  /** Seconds from the signal to the host's exit. */
  seconds: number
}

export default class Stop extends StewardCommand {
  static override summary = 'Stop a host that runs on this machine (in the background or not), and wait until it has exited.'
  static override description = `Sends the host SIGTERM: it stops gracefully, letting in-flight calls and requests finish within graceful_shutdown_timeout, and its services read "stopped". --force sends SIGKILL instead: the host ends at once, and its services read "down" after service_down_time. The host is found by its pid file, <state_dir>/run/<host>.pid.`
  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> stop',
    '<%= config.bin %> stop --host node1',
    {description: 'Kill a host that does not stop:', command: '<%= config.bin %> stop --host node1 --force'},
    '<%= config.bin %> stop --host node1 --json',
  ]

  static override flags = {
    host: Flags.string({summary: 'Name of the host to stop (default: the machine host name, or the "host" option).'}),
    force: Flags.boolean({summary: 'Kill the host with SIGKILL instead of stopping it gracefully.'}),
    timeout: Flags.integer({summary: 'Seconds to wait for the host to exit (default: graceful_shutdown_timeout + 10; 0 waits forever).', min: 0}),
  }

  async run(): Promise<StopResult> {
    const {flags} = await this.parse(Stop)
    const config = this.loadConfig(flags, flags.host === undefined ? {} : {host: flags.host})
    const {host, state_dir: stateDir, graceful_shutdown_timeout: graceful} = config.options
    const pid = await runningHostPid(stateDir, host)
    if (pid === undefined) {
      throw new StewardError('HOST_NOT_RUNNING', `Host ${host} does not run on this machine with the state directory ${stateDir}.`, {
        data: {host, stateDir},
        suggestions: ['See which hosts run: steward status'],
      })
    }
    const signal = flags.force ? 'SIGKILL' : 'SIGTERM'
    const startedAt = Date.now()
    process.kill(pid, signal)
    const timeout = flags.timeout ?? (graceful === 0 ? 0 : graceful + 10)
    // The host is not this process's child: its exit can only be seen by probing its pid.
    while (isProcessAlive(pid)) {
      if (timeout > 0 && Date.now() - startedAt > timeout * 1000) {
        throw new StewardError('HOST_STOP_TIMEOUT', `Host ${host} (pid ${pid}) has not exited ${timeout} s after ${signal}.`, {
          data: {host, pid, timeout},
          suggestions: [`Kill it: steward stop --host ${host} --force`],
        })
      }
      await sleep(50)
    }
    const result: StopResult = {host, pid, signal, seconds: (Date.now() - startedAt) / 1000}
    this.log(`Host ${host} (pid ${pid}) ${flags.force ? 'killed' : 'stopped'} after ${result.seconds.toFixed(1)} s.`)
    return result
  }
}
