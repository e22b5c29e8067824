import {mkdirSync} from 'node:fs'
import path from 'node:path'
import type {CoreOptions} from '../config/options.js'
import {StewardError} from '../errors/index.js'

/** Longest path of a Unix socket (sun_path is 108 bytes with its terminating NUL). */
const MAX_IPC_PATH = 107
const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|\[?::1\]?)$/

/**
 * The endpoint a host binds: `rpc_listen`, or `ipc://<state_dir>/rpc/<host>.sock` (its directory
 * created with mode 0700, so file permissions keep other users out). A TCP endpoint beyond
 * loopback is refused unless the host has a CURVE key.
 */
export function hostEndpoint(options: Pick<CoreOptions, 'rpc_listen' | 'state_dir' | 'host' | 'rpc_curve_server_key'>): string {
  const listen = options.rpc_listen
  if (listen === '') {
    const dir = path.join(options.state_dir, 'rpc')
    mkdirSync(dir, {recursive: true, mode: 0o700})
    return ipcEndpoint(path.join(dir, `${options.host.replace(/[^\w.@-]/g, '_')}.sock`))
  }
  if (listen.startsWith('ipc://')) {
    mkdirSync(path.dirname(listen.slice('ipc://'.length)), {recursive: true, mode: 0o700})
    return ipcEndpoint(listen.slice('ipc://'.length))
  }
  const tcp = /^tcp:\/\/(.+):(\d+|\*)$/.exec(listen)
  if (tcp === null) {
    throw new StewardError('CONFIG_INVALID', `rpc_listen must be ipc:///path or tcp://address:port, found "${listen}".`, {data: {key: 'rpc_listen'}})
  }
  if (!LOOPBACK.test(tcp[1]!) && options.rpc_curve_server_key === '') {
    throw new StewardError('RPC_ENDPOINT_INSECURE', `Refusing to listen on ${listen} without CURVE: anyone who can reach it could call every service.`, {
      data: {endpoint: listen},
      suggestions: ['Generate a key pair with `steward keys generate --out host.key` and set rpc_curve_server_key, or listen on 127.0.0.1.'],
    })
  }
  return listen
}

function ipcEndpoint(file: string): string {
  if (Buffer.byteLength(file) > MAX_IPC_PATH) {
    throw new StewardError('RPC_ENDPOINT_FAILED', `The socket path ${file} is longer than ${MAX_IPC_PATH} bytes, the limit of Unix sockets.`, {
      suggestions: ['Use a shorter state_dir, or set rpc_listen to a shorter ipc:// path or a tcp://127.0.0.1:0 endpoint.'],
    })
  }
  return `ipc://${file}`
}
