/** Short, fixed-width renderings of numbers and times for the TUI's narrow columns. */

/** `42s`, `3m`, `5h`, `2d`: an age or uptime in its largest whole unit (`1m05s` below 10 minutes). */
export function formatAge(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '-'
  const s = Math.max(0, Math.floor(seconds))
  if (s < 60) return `${s}s`
  if (s < 600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600)}h`
}

/** `850µs`, `12.3ms`, `1.20s`. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-'
  if (ms < 1) return `${Math.round(ms * 1000)}µs`
  if (ms < 100) return `${ms.toFixed(1)}ms`
  if (ms < 1000) return `${Math.round(ms)}ms`
  return `${(ms / 1000).toFixed(2)}s`
}

/** `512B`, `1.5K`, `230M`, `1.2G` (binary units). */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return '-'
  const units = ['B', 'K', 'M', 'G', 'T']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)}${units[unit]}`
}

/** A rate: `0`, `3.4`, `120`, `12k`. */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null || !Number.isFinite(perSecond)) return '-'
  if (perSecond === 0) return '0'
  if (perSecond < 10) return perSecond.toFixed(1)
  if (perSecond < 10_000) return String(Math.round(perSecond))
  return `${Math.round(perSecond / 1000)}k`
}

/** `HH:MM:SS` of an ISO time or epoch ms, local time; `-` for none. */
export function formatClock(time: string | number | null): string {
  if (time === null) return '-'
  const date = new Date(time)
  if (Number.isNaN(date.getTime())) return '-'
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':')
}

/** Cut text to width characters, marking the cut with `…`. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return ''
  if (text.length <= width) return text
  return width === 1 ? '…' : `${text.slice(0, width - 1)}…`
}

/** Cut text to width characters from the start, keeping its end: `…/rpc/node1.sock`. */
export function truncateStart(text: string, width: number): string {
  if (width <= 0) return ''
  if (text.length <= width) return text
  return width === 1 ? '…' : `…${text.slice(text.length - width + 1)}`
}

/** Truncate (the end, or the start to keep the end), then pad to exactly width characters. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left', cut: 'end' | 'start' = 'end'): string {
  const short = cut === 'end' ? truncate(text, width) : truncateStart(text, width)
  return align === 'left' ? short.padEnd(width) : short.padStart(width)
}

/** `1 service`, `3 services`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

/** The message of an error, with its code when it has one: `SERVICE_NOT_FOUND: No service…`. */
export function describeFailure(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const {code, message} = error as {code?: unknown; message?: unknown}
    const text = typeof message === 'string' ? message : String(error)
    return typeof code === 'string' ? `${code}: ${text}` : text
  }
  return String(error)
}
