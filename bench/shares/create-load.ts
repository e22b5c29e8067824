// The load: shares created through `POST /v2/shares`, a fixed number in flight, each one in flight
// from its POST until its backend has made it available.
import {BenchError} from '../rpc/children.js'
import type {AvailabilityWatch} from './availability-watch.js'

/** A share not available this long after its POST fails the benchmark rather than hang it. */
const AVAILABLE_TIMEOUT_MS = 60_000

export interface CreateLoad {
  apiUrl: string
  watch: AvailabilityWatch
  /** Shares in flight at all times (each a loop: POST, wait until available, next). */
  concurrency: number
  /** Shares created in all. */
  count: number
}

export interface CreateResult {
  seconds: number
  /** Per share, ms: from sending the POST to its answer (202, `creating`). */
  answeredMs: number[]
  /** Per share, ms: from sending the POST to reading `share <id> available`. */
  availableMs: number[]
}

export async function createShares({apiUrl, watch, concurrency, count}: CreateLoad): Promise<CreateResult> {
  const answeredMs: number[] = []
  const availableMs: number[] = []
  let started = 0
  const began = performance.now()
  await Promise.all(
    Array.from({length: concurrency}, async () => {
      while (started < count) {
        started++
        const sent = performance.now()
        const id = await postShare(apiUrl)
        answeredMs.push(performance.now() - sent)
        availableMs.push((await withTimeout(watch.available(id), id)) - sent)
      }
    }),
  )
  return {seconds: (performance.now() - began) / 1000, answeredMs, availableMs}
}

/** POST one share of 1 GiB; its id, once answered 202 `creating`. */
async function postShare(apiUrl: string): Promise<string> {
  const response = await fetch(`${apiUrl}/v2/shares`, {method: 'POST', headers: {'content-type': 'application/json'}, body: '{"size": 1}'})
  const text = await response.text()
  const share = response.status === 202 ? (JSON.parse(text) as {share?: {id?: string; status?: string}}).share : undefined
  if (share?.status !== 'creating' || share.id === undefined) throw new BenchError(`POST /v2/shares answered ${response.status}: ${text}`)
  return share.id
}

function withTimeout(available: Promise<number>, id: string): Promise<number> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new BenchError(`share ${id} was not available ${AVAILABLE_TIMEOUT_MS / 1000} s after its POST`)), AVAILABLE_TIMEOUT_MS)
  })
  return Promise.race([available, timedOut]).finally(() => clearTimeout(timer))
}
