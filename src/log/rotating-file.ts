import fs from 'node:fs'
import path from 'node:path'

export interface RotatingFileOptions {
  file: string
  /** Rotate before a line would take the file past this many bytes. */
  maxSize: number
  /** Rotated files kept (`<file>.1` newest … `<file>.<maxFiles>` oldest); older ones are deleted. */
  maxFiles: number
}

/**
 * A log file rotated by size with a cap on kept files, written synchronously: the logger's sink is
 * a plain function, and a line must be on disk before a crash that follows it. Small on purpose
 * (rotating-file-stream is a good library, but an asynchronous stream that loses its buffer on
 * process.exit): one host writes its own file, so renaming needs no locking.
 */
export class RotatingFile {
  private fd: number
  private size: number

  constructor(private readonly options: RotatingFileOptions) {
    fs.mkdirSync(path.dirname(options.file), {recursive: true, mode: 0o700})
    this.fd = fs.openSync(options.file, 'a', 0o600)
    this.size = fs.fstatSync(this.fd).size
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line)
    if (this.size > 0 && this.size + bytes > this.options.maxSize) this.rotate()
    fs.writeSync(this.fd, line)
    this.size += bytes
  }

  private rotate(): void {
    const {file, maxFiles} = this.options
    fs.closeSync(this.fd)
    if (maxFiles === 0) {
      fs.rmSync(file, {force: true})
    } else {
      fs.rmSync(`${file}.${maxFiles}`, {force: true})
      for (let index = maxFiles - 1; index >= 1; index--) {
        if (fs.existsSync(`${file}.${index}`)) fs.renameSync(`${file}.${index}`, `${file}.${index + 1}`)
      }
      fs.renameSync(file, `${file}.1`)
    }
    this.fd = fs.openSync(file, 'a', 0o600)
    this.size = 0
  }

  close(): void {
    fs.closeSync(this.fd)
  }
}

/** Where a host writes its log in the background (`steward start --detach`): `<state_dir>/logs/<host>.log`. */
export function hostLogPath(stateDir: string, host: string): string {
  return path.join(stateDir, 'logs', `${encodeURIComponent(host)}.log`)
}
