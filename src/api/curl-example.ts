import type {ApiEndpointRecord} from '../store/types.js'

/** Characters a shell word may hold unquoted. */
const PLAIN_WORD = /^[\w@%+=:,./-]+$/

/**
 * A curl command that sends an API's example request (its pipeline's `example`, or `/healthz`):
 * what `steward start` prints once the API listens, ready to paste into a POSIX shell.
 */
export function curlExample(endpoint: ApiEndpointRecord, tokenFile: string | undefined): string {
  const {method, path, body} = endpoint.example ?? {method: 'GET', path: '/healthz'}
  const words = ['curl', '-s']
  if (method !== 'GET') words.push('-X', method)
  if (endpoint.token && tokenFile !== undefined) words.push('-H', `"Authorization: Bearer $(cat ${shellWord(tokenFile)})"`)
  if (body !== undefined) words.push('-H', shellWord('Content-Type: application/json'), '-d', shellWord(JSON.stringify(body)))
  words.push(shellWord(`${endpoint.url}${path}`))
  return words.join(' ')
}

function shellWord(text: string): string {
  return PLAIN_WORD.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`
}
