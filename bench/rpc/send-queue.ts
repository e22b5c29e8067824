/** A ZeroMQ socket as far as sending goes. */
export interface FrameSocket {
  send(frames: Array<Buffer | string>): Promise<void>
}

interface Queued {
  frames: Array<Buffer | string>
  resolve: () => void
  reject: (error: unknown) => void
}

/**
 * Serialises the sends of one zeromq.js socket: zeromq.js allows one send in progress per socket
 * and throws EBUSY at a second, so concurrent callers queue here and are sent one after the other.
 */
export class SendQueue {
  private readonly queue: Queued[] = []
  private head = 0
  private sending = false

  constructor(private readonly socket: FrameSocket) {}

  send(frames: Array<Buffer | string>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({frames, resolve, reject})
      if (!this.sending) void this.drain()
    })
  }

  private async drain(): Promise<void> {
    this.sending = true
    while (this.head < this.queue.length) {
      const item = this.queue[this.head]!
      this.head++
      try {
        await this.socket.send(item.frames)
        item.resolve()
      } catch (error) {
        item.reject(error)
      }
    }
    this.queue.length = 0
    this.head = 0
    this.sending = false
  }
}
