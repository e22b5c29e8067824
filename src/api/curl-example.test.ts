import {execFileSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import type {ApiEndpointRecord} from '../store/types.js'
import {curlExample} from './curl-example.js'

const endpoint: ApiEndpointRecord = {name: 'api', url: 'http://127.0.0.1:8786', address: '127.0.0.1', port: 8786, token: false, startedAt: '2026-11-25T00:00:00.000Z'}

/** The words a POSIX shell makes of a command line (printf prints one per line). */
function shellWords(command: string): string[] {
  return execFileSync('sh', ['-c', `set -- ${command.replace(/^curl /, '')}; printf '%s\\n' "$@"`], {encoding: 'utf8', env: {PATH: process.env.PATH}}).trimEnd().split('\n')
}

describe('curlExample', () => {
  it('sends the example with its method and JSON body, quoted so the shell passes them as they are', () => {
    const command = curlExample({...endpoint, example: {method: 'POST', path: '/v2/shares', body: {size: 1, name: "it's"}}}, undefined)
    expect(command).toBe(`curl -s -X POST -H 'Content-Type: application/json' -d '{"size":1,"name":"it'\\''s"}' http://127.0.0.1:8786/v2/shares`)
    expect(shellWords(command)).toEqual(['-s', '-X', 'POST', '-H', 'Content-Type: application/json', '-d', `{"size":1,"name":"it's"}`, 'http://127.0.0.1:8786/v2/shares'])
  })

  it('reads the token from its file when the API requires one, and tries /healthz when the pipeline suggests nothing', () => {
    expect(curlExample({...endpoint, token: true}, '/etc/steward/api token')).toBe(`curl -s -H "Authorization: Bearer $(cat '/etc/steward/api token')" http://127.0.0.1:8786/healthz`)
    expect(curlExample({...endpoint, example: {method: 'GET', path: '/v1/services'}}, undefined)).toBe('curl -s http://127.0.0.1:8786/v1/services')
  })
})
