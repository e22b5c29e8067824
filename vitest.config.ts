import os from 'node:os'
import path from 'node:path'
import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.ts', 'plugins/**/*.test.ts'],
    pool: 'forks',
    // Plugins the developer installed with `steward plugins install` (in $XDG_DATA_HOME/steward)
    // stay out of the tests, and their processes' (a folder that is never created).
    env: {XDG_DATA_HOME: path.join(os.tmpdir(), `steward-test-no-data-${process.pid}`)},
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests start real processes; a host left running must not outlive the run.
    teardownTimeout: 10_000,
  },
})
