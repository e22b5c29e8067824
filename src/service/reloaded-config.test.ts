import os from 'node:os'
import {describe, expect, it} from 'vitest'
import {loadConfig} from '../config/load-config.js'
import type {Logger} from '../log/logger.js'
import {applyReloadedConfig} from './reloaded-config.js'

describe('applyReloadedConfig', () => {
  it('takes topic sections and reloadable options into the shared configuration, and names the options that wait for a restart', () => {
    const config = loadConfig({env: {}, flags: {host: 'h1'}, cwd: os.tmpdir()})
    const shared = config.options
    const fresh = loadConfig({env: {STEWARD_GRACEFUL_SHUTDOWN_TIMEOUT: '5', STEWARD_REPORT_INTERVAL: '2', STEWARD_SYSINFO__DRIVER: 'procfs'}, flags: {host: 'h1'}, cwd: os.tmpdir()})
    const warnings: string[] = []
    const log = {warn: (message: string) => warnings.push(message)} as unknown as Logger
    applyReloadedConfig(config, fresh, log)
    expect(config.options).toBe(shared)
    expect(config.options.graceful_shutdown_timeout).toBe(5)
    expect(config.options.report_interval).toBe(10)
    expect(config.topics.sysinfo).toEqual({driver: 'procfs'})
    expect(warnings).toEqual(['configuration reloaded; report_interval changed but take effect at the next start'])
  })
})
