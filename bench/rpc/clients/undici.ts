import {Pool} from 'undici'
import type {Answer, BenchClient, Payload} from '../common.js'

/**
 * An undici Pool of keep-alive HTTP/1.1 connections (run.ts gives one per call in flight), without
 * pipelining, as HTTP clients are run; POSTs the payload as JSON.
 */
export function connectUndici(origin: string, connections: number): BenchClient {
  const pool = new Pool(origin, {connections, pipelining: 1, keepAliveTimeout: 60_000})
  return {
    async call(payload: Payload): Promise<Answer> {
      const {statusCode, body} = await pool.request({
        path: '/echo',
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify(payload),
      })
      if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`)
      return (await body.json()) as Answer
    },
    close: () => pool.close(),
  }
}
