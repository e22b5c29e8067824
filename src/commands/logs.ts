import fs from 'node:fs'
import path from 'node:path'
import {Flags} from '@oclif/core'
import {StewardCommand} from '../cli/base-command.js'
import {StewardError} from '../errors/index.js'
import {hostLogPath} from '../log/rotating-file.js'

/** A log line as --json prints it. */
export interface LogLine {
  time: string | null
  level: string | null
  /** `<binary>@<host>` of the service that logged it, when one did. */
  service: string | null
  message: string
  /** The line as written. */
  line: string
}

export default class Logs extends StewardCommand {
  static override summary = 'Show the log of a host that runs in the background (steward start --detach), and follow it with -f.'
  static override description = 'Reads <state_dir>/logs/<host>.log, where a background host writes its log (rotated by size: log_file_max_size, log_file_max_files). -f follows it across rotations until Ctrl-C. A host in the foreground logs to its terminal instead.'
  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> logs --host node1',
    '<%= config.bin %> logs --host node1 -f',
    {description: 'Only the lines of one service (topic or binary):', command: '<%= config.bin %> logs --host node1 --service sysinfo -n 200'},
    '<%= config.bin %> logs --host node1 --json',
  ]

  static override flags = {
    host: Flags.string({summary: 'Name of the host (default: the machine host name, or the "host" option).'}),
    follow: Flags.boolean({char: 'f', summary: 'Keep printing lines as the host writes them.'}),
    service: Flags.string({char: 's', summary: 'Only lines of this service: its topic (sysinfo) or binary (steward-sysinfo).'}),
    lines: Flags.integer({char: 'n', summary: 'How many of the last lines to show first.', default: 50, min: 0}),
  }

  async run(): Promise<LogLine[]> {
    const {flags} = await this.parse(Logs)
    const config = this.loadConfig(flags, flags.host === undefined ? {} : {host: flags.host})
    const {host, state_dir: stateDir} = config.options
    const file = hostLogPath(stateDir, host)
    if (!fs.existsSync(file)) {
      throw new StewardError('HOST_NOT_RUNNING', `Host ${host} has no log file ${file}: only a host started with --detach writes one.`, {
        data: {host, file},
        suggestions: [`Start it in the background: steward start --host ${host} --detach`, 'See which hosts run: steward status'],
      })
    }
    const matches = serviceMatcher(flags.service)
    const text = fs.readFileSync(file, 'utf8')
    const shown = text
      .split('\n')
      .filter((line) => line !== '' && matches(line))
      .slice(flags.lines === 0 ? Number.POSITIVE_INFINITY : -flags.lines)
    const json = this.jsonEnabled()
    if (!flags.follow) {
      if (!json) for (const line of shown) this.log(line)
      return shown.map(parseLine)
    }
    const print = (line: string): void => void process.stdout.write(json ? `${JSON.stringify(parseLine(line))}\n` : `${line}\n`)
    for (const line of shown) print(line)
    await follow(file, Buffer.byteLength(text), (line) => matches(line) && print(line))
    return []
  }
}

/** Whether a line is one of the service's: text lines carry `[<binary>@<host>]`, JSON lines a "service" field. */
function serviceMatcher(service: string | undefined): (line: string) => boolean {
  if (service === undefined) return () => true
  const binary = service.startsWith('steward-') ? service : `steward-${service}`
  return (line) => line.includes(`[${binary}@`) || line.includes(`"service":"${binary}@`)
}

const TEXT_LINE = /^(\S+) (DEBUG|INFO|WARN|ERROR)\s+(?:\[([^\]]+)\] )?(.*)$/

export function parseLine(line: string): LogLine {
  if (line.startsWith('{')) {
    try {
      const record = JSON.parse(line) as {time?: string; level?: string; service?: string; msg?: string}
      return {time: record.time ?? null, level: record.level ?? null, service: record.service ?? null, message: record.msg ?? '', line}
    } catch {
      // Not a JSON record after all: shown as it is.
    }
  }
  const match = TEXT_LINE.exec(line)
  if (match === null) return {time: null, level: null, service: null, message: line, line}
  return {time: match[1]!, level: match[2]!.toLowerCase(), service: match[3] ?? null, message: match[4]!, line}
}

/**
 * Print what is appended to the file, whole lines at a time, until the process is interrupted.
 * The directory is watched (fs.watch, no polling), so a rotation (the file renamed, a new one
 * created) is followed into the new file.
 */
async function follow(file: string, from: number, onLine: (line: string) => void): Promise<void> {
  let offset = from
  let inode = fs.statSync(file).ino
  let partial = ''
  const readMore = (): void => {
    let stat: fs.Stats
    try {
      stat = fs.statSync(file)
    } catch {
      return
    }
    if (stat.ino !== inode || stat.size < offset) {
      inode = stat.ino
      offset = 0
      partial = ''
    }
    if (stat.size === offset) return
    const fd = fs.openSync(file, 'r')
    try {
      const buffer = Buffer.alloc(stat.size - offset)
      const read = fs.readSync(fd, buffer, 0, buffer.length, offset)
      offset += read
      const lines = (partial + buffer.subarray(0, read).toString('utf8')).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) if (line !== '') onLine(line)
    } finally {
      fs.closeSync(fd)
    }
  }
  const watcher = fs.watch(path.dirname(file), (_event, name) => {
    if (name === null || name === path.basename(file)) readMore()
  })
  await new Promise<void>((resolve) => {
    const done = (): void => {
      watcher.close()
      resolve()
    }
    process.once('SIGINT', done)
    process.once('SIGTERM', done)
  })
}
