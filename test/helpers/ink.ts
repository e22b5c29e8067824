/** Driving Ink apps rendered with ink-testing-library: keys, and waiting for input to be handled. */
import {setTimeout as delay} from 'node:timers/promises'

/** What terminals send for the keys the TUI uses. */
export const KEYS = {
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  shiftTab: '\u001B[Z',
  up: '\u001B[A',
  down: '\u001B[B',
  pageDown: '\u001B[6~',
  pageUp: '\u001B[5~',
  backspace: '\u007F',
  ctrlC: '\u0003',
} as const

interface TestStdin {
  write(data: string): void
  listenerCount(event: string): number
}

/** Wait until the app listens to stdin: Ink subscribes in an effect, after the first render. */
export async function whenListening(stdin: TestStdin): Promise<void> {
  for (let tries = 0; stdin.listenerCount('readable') === 0; tries++) {
    if (tries > 400) throw new Error('the app never listened to stdin')
    await delay(5)
  }
}

/** Send keys one at a time, letting each be handled (Ink reads stdin after a macrotask). */
export async function press(stdin: TestStdin, ...keys: string[]): Promise<void> {
  await whenListening(stdin)
  for (const key of keys) {
    stdin.write(key)
    await delay(1)
  }
  // Let actions' promises settle and their renders land.
  await delay(5)
}

/** Type text as one key per character. */
export async function type(stdin: TestStdin, text: string): Promise<void> {
  await press(stdin, ...text)
}
