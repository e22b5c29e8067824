import {describe, expect, it} from 'vitest'
import {makeTestDir, runCli, runJson, writeConfig} from '../helpers/steward-process.js'

interface Shown {
  file: string | null
  options: Record<string, unknown>
  sources?: Record<string, string>
}

describe('steward config show', () => {
  it('prints the effective values and, with --sources, where each came from', async () => {
    const dir = await makeTestDir()
    const file = await writeConfig(dir, {report_interval: 3, sysinfo: {driver: 'procfs'}})
    const result = await runJson<Shown>(['config', 'show', '--sources', '--state-dir', '/tmp/elsewhere'], {cwd: dir, env: {STEWARD_SERVICE_DOWN_TIME: '30'}})
    expect(result.file).toBe(file)
    expect(result.options).toMatchObject({report_interval: 3, service_down_time: 30, state_dir: '/tmp/elsewhere', periodic_interval: 60, sysinfo: {driver: 'procfs'}})
    expect(result.sources).toMatchObject({
      report_interval: `file ${file}`,
      service_down_time: 'env STEWARD_SERVICE_DOWN_TIME',
      state_dir: 'flag --state-dir',
      periodic_interval: 'default',
      'sysinfo.driver': `file ${file}`,
    })
  })

  it('prints a table of option, value and source', async () => {
    const dir = await makeTestDir()
    await writeConfig(dir, {})
    const {stdout, code} = await runCli(['config', 'show', '--sources'], {cwd: dir})
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Option\s+Value\s+Source$/m)
    expect(stdout).toMatch(/^report_interval\s+10\s+default$/m)
  })
})
