import {Transporters} from 'moleculer'

/**
 * Moleculer's TCP transporter, kept on this machine: UDP discovery off (the client is given the
 * server's address), and every node is dialled on 127.0.0.1. Moleculer otherwise dials the
 * hostname or the first non-internal IPv4 address a node reports about itself, which on a machine
 * with a network interface is not the loopback.
 */
export class LoopbackTcpTransporter extends Transporters.TCP {
  constructor(options: {port?: number; urls?: string[]}) {
    super({udpDiscovery: false, port: options.port ?? 0, ...(options.urls === undefined ? {} : {urls: options.urls})})
  }

  getNodeAddress(): string {
    return '127.0.0.1'
  }

  /** The TCP port this node listens on, once connected. */
  get port(): number {
    return (this as unknown as {opts: {port: number}}).opts.port
  }
}

export const SERVER_NODE_ID = 'bench-server'
