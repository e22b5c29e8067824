import {Router} from 'zeromq'
import {LogThrottle} from '../log/log-throttle.js'
import type {Logger} from '../log/logger.js'

/** The ZeroMQ authentication protocol's fixed address (ZMTP RFC 27). */
const ZAP_ENDPOINT = 'inproc://zeromq.zap.01'
const Z85_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#'

/** The keys each server allowed; a client is answered when any of them allows its key. */
const registrations = new Map<symbol, ReadonlySet<string>>()
let handler: Router | undefined
let serving: Promise<void> | undefined

/**
 * Answer CURVE handshakes only from these client keys. libzmq asks the process's ZAP handler
 * about every handshake on a CURVE server; without a handler it lets every valid handshake in.
 * One handler serves the process; keys given by several calls add up. The function returned
 * withdraws these keys, and closes the handler when no keys are left: its open socket kept a
 * stopped host's process from ever exiting.
 */
export async function allowCurveClients(keys: readonly string[], log: Logger): Promise<() => Promise<void>> {
  const token = Symbol('allowed CURVE clients')
  registrations.set(token, new Set(keys))
  const release = async (): Promise<void> => {
    if (!registrations.delete(token) || registrations.size > 0 || handler === undefined) return
    const closing = handler
    handler = undefined
    closing.close()
    await serving
  }
  if (handler === undefined) {
    handler = new Router({linger: 0})
    try {
      await bindZapEndpoint(handler)
    } catch (error) {
      await release()
      throw error
    }
    serving = serve(handler, log)
  }
  return release
}

/**
 * Bind the ZAP endpoint. libzmq frees a closed socket's endpoints on its own thread, so just after
 * a handler closed (the last server closed, a new one opens) the bind may fail with EADDRINUSE for
 * a moment: try again for up to half a second.
 */
async function bindZapEndpoint(router: Router): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await router.bind(ZAP_ENDPOINT)
      return
    } catch (error) {
      if ((error as {code?: unknown}).code !== 'EADDRINUSE' || attempt >= 50) throw error
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
}

function isAllowed(key: string): boolean {
  for (const keys of registrations.values()) if (keys.has(key)) return true
  return false
}

/** A refused client is logged once a minute per address and key: a client may retry forever. */
const refusals = new LogThrottle()

async function serve(router: Router, log: Logger): Promise<void> {
  try {
    for await (const [peer, delimiter, version, requestId, , address, , mechanism, credentials] of router) {
      const clientKey = mechanism?.toString() === 'CURVE' && credentials?.length === 32 ? z85Encode(credentials) : undefined
      const ok = clientKey !== undefined && isAllowed(clientKey)
      if (!ok) logRefusal(log, address?.toString() ?? '', clientKey ?? '(none)')
      // A failed reply must not end the loop: every later CURVE handshake of the process would
      // then wait for an answer forever.
      try {
        await router.send([peer!, delimiter ?? '', version ?? '1.0', requestId ?? '', ok ? '200' : '400', ok ? 'OK' : 'client key not allowed', ok ? clientKey : '', ''])
      } catch (error) {
        log.error('the ZAP handler could not answer a CURVE handshake', {error})
      }
    }
  } catch (error) {
    // Nobody awaits this loop: a rejection here would be unhandled and end the process.
    if (!router.closed) log.error('the ZAP handler stopped: CURVE handshakes will no longer be answered', {error})
  }
}

function logRefusal(log: Logger, address: string, clientKey: string): void {
  if (!refusals.allow(`${address} ${clientKey}`)) return
  log.warn('refused a CURVE client whose key is not allowed (logged once a minute per address and key)', {clientKey, address})
}

/** Z85 (ZeroMQ RFC 32) text of bytes whose length is a multiple of 4. */
export function z85Encode(bytes: Uint8Array): string {
  let text = ''
  for (let offset = 0; offset < bytes.length; offset += 4) {
    let value = ((bytes[offset]! << 24) >>> 0) + (bytes[offset + 1]! << 16) + (bytes[offset + 2]! << 8) + bytes[offset + 3]!
    const chunk: string[] = []
    for (let index = 0; index < 5; index++) {
      chunk.unshift(Z85_ALPHABET[value % 85]!)
      value = Math.floor(value / 85)
    }
    text += chunk.join('')
  }
  return text
}
