/**
 * `steward share …`: the share plugin's own oclif commands, run as a user runs them against the
 * system of real processes (host A the scheduler, host B two share-localfs backends).
 */
import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {startShareSystem, type Share} from '../helpers/share-system.js'
import {killLeftovers, runCli, runJson} from '../helpers/steward-process.js'

afterEach(killLeftovers)

describe('steward share', () => {
  it('creates, lists, shows, extends, shrinks and deletes a share, in tables and in JSON', async () => {
    const system = await startShareSystem()
    const cwd = system.dir
    const created = await runJson<Share>(['share', 'create', '2', '--name', 'docs', '--wait'], {cwd})
    expect(created).toMatchObject({name: 'docs', size: 2, status: 'available', host: 'B@fast#localfs'})
    expect((await stat(created.exportLocation!)).isDirectory()).toBe(true)

    const table = await runCli(['share', 'list'], {cwd})
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(new RegExp(`^ID +Name +Size +Status +Host +Export location\\n[- ]+\\n${created.id} +docs +2 +available +B@fast#localfs +${created.exportLocation}\\n?$`))
    expect(await runJson<Share[]>(['share', 'list'], {cwd})).toEqual([expect.objectContaining({id: created.id})])
    const shown = await runCli(['share', 'show', created.id], {cwd})
    expect(shown.stdout).toContain(`Export location    ${created.exportLocation}`)
    expect(shown.stdout).toMatch(/Status +available/)

    expect(await runJson<Share>(['share', 'extend', created.id, '5'], {cwd})).toMatchObject({size: 5, status: 'available'})
    expect(await system.quota('fast', created.id)).toBe(5)
    expect(await runJson<Share>(['share', 'shrink', created.id, '1'], {cwd})).toMatchObject({size: 1})

    const deleted = await runCli(['share', 'delete', created.id], {cwd})
    expect(deleted).toMatchObject({code: 0, stdout: `Deleted share ${created.id}.\n`})
    await expect(stat(created.exportLocation!)).rejects.toMatchObject({code: 'ENOENT'})
    expect(await runJson<Share[]>(['share', 'list'], {cwd})).toEqual([])
  })

  it('says what is wrong, with the code and a non-zero exit, and changes nothing', async () => {
    const system = await startShareSystem()
    const cwd = system.dir
    const unknown = await runCli(['share', 'show', 'nosuch'], {cwd})
    expect(unknown).toMatchObject({code: 1, stderr: 'Error: No share nosuch.\nCode: SHARE_NOT_FOUND\n'})
    const tooBig = await runCli(['share', 'create', '11', '--json'], {cwd})
    expect(tooBig.code).toBe(1)
    expect(JSON.parse(tooBig.stdout)).toEqual({
      error: {code: 'SHARE_CAPACITY_EXCEEDED', message: 'No share backend can hold 11 GiB: the largest pool holds 10 GiB when empty.', suggestions: [], data: {size: 11, largestPoolGb: 10, remoteName: 'ShareError'}},
    })
    const zero = await runCli(['share', 'create', '0'], {cwd})
    expect(zero).toMatchObject({code: 1, stderr: 'Error: size must be a whole number of GiB, at least 1; found 0.\nCode: SHARE_INVALID_SIZE\n'})
    const notANumber = await runCli(['share', 'extend', 'nosuch', 'big'], {cwd})
    expect(notANumber.code).not.toBe(0)
    expect(notANumber.stderr).toMatch(/Expected an integer but received: big/)
    // A share that cannot be placed now is created in error, and the command says so by its exit.
    const inZone = await runCli(['share', 'create', '1', '--zone', 'elsewhere', '--json'], {cwd})
    expect(inZone.code).toBe(1)
    expect(JSON.parse(inZone.stdout)).toMatchObject({status: 'error', statusReason: expect.stringMatching(/^No valid host was found: /)})
    expect((await runJson<Share[]>(['share', 'list'], {cwd})).map((share) => share.status)).toEqual(['error'])
  })

  it('purges the records of shares deleted long enough ago, and nothing else', async () => {
    const system = await startShareSystem()
    const cwd = system.dir
    const [kept, gone] = [await system.createAvailable(1), await system.createAvailable(1)]
    expect((await runCli(['share', 'delete', gone.id], {cwd})).code).toBe(0)
    type Purge = {purged: number; dryRun: boolean; shares: Share[]}
    const stateFile = path.join(cwd, 'state', 'steward.json')

    expect(await runJson<Purge>(['share', 'purge', '--older-than', '1d'], {cwd})).toEqual({purged: 0, dryRun: false, shares: []})
    const dry = await runCli(['share', 'purge', '--older-than', '0', '--dry-run'], {cwd})
    expect(dry.code).toBe(0)
    expect(dry.stdout).toMatch(new RegExp(`^Would purge 1 deleted share:\n  ${gone.id}  -  deleted \\S+\n$`))
    expect(await readFile(stateFile, 'utf8')).toContain(gone.id)

    const purged = await runJson<Purge>(['share', 'purge', '--older-than', '0'], {cwd})
    expect(purged).toMatchObject({purged: 1, dryRun: false, shares: [{id: gone.id, status: 'deleted'}]})
    const state = await readFile(stateFile, 'utf8')
    expect(state).not.toContain(gone.id)
    expect(state).toContain(kept.id)
    expect(await runJson<Share[]>(['share', 'list'], {cwd})).toEqual([expect.objectContaining({id: kept.id, status: 'available'})])
    expect((await runCli(['share', 'purge', '--older-than', '0'], {cwd})).stdout).toBe('Purged 0 deleted shares.\n')

    const bad = await runCli(['share', 'purge', '--older-than', 'soon'], {cwd})
    expect(bad).toMatchObject({code: 1, stderr: 'Error: --older-than must be a time such as 30d, 12h or 90m, not "soon".\nCode: SHARE_REQUEST_INVALID\n'})
  })

  it('documents every command with examples', async () => {
    const help = await runCli(['share', 'create', '--help'], {cwd: process.cwd()})
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('$ steward share create 2 --name docs')
    expect(help.stdout).toMatch(/--wait +Wait until the share is available or in error\./)
  })
})
