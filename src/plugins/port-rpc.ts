import {StewardError} from '../errors/index.js'
import {fromWireError, isWireError, toWireError, type WireError} from '../rpc/wire-errors.js'

/** The side of a MessagePort (or a Worker, or parentPort) that PortRpc needs. */
export interface PortLike {
  postMessage(message: unknown): void
  on(event: 'message', listener: (message: unknown) => void): unknown
}

type Message =
  | {t: 'req'; id: number; op: string; arg: unknown}
  | {t: 'note'; op: string; arg: unknown}
  | {t: 'ok'; id: number; value: unknown}
  | {t: 'err'; id: number; error: WireError}
  | {t: 'batch'; messages: Message[]}

function fromPortError(error: WireError): Error {
  if (!isWireError(error)) return new StewardError('PROTOCOL_ERROR', 'A malformed error crossed a generation port.')
  return fromWireError(error)
}

type Handler = (arg: unknown) => unknown
type NoteHandler = (arg: unknown) => void

interface Outgoing {
  message: Message
  onFailure: (() => void) | undefined
  fail: ((error: unknown) => void) | undefined
}

interface Pending {
  resolve(value: unknown): void
  reject(error: unknown): void
}

/**
 * Requests and notes in both directions over one port: the host and a generation's worker each
 * hold one. A request is answered by the other side's handler for its op; errors travel as wire
 * data and are rebuilt (a StewardError keeps its code). When the port closes, every pending
 * request rejects, so nothing waits on a worker that has gone.
 */
export class PortRpc {
  private readonly handlers = new Map<string, Handler>()
  private readonly noteHandlers = new Map<string, NoteHandler>()
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  /** Requests and answers of this turn, posted together: one message, one wake-up of the other thread. */
  private outgoing: Outgoing[] = []
  private closedWith: StewardError | undefined

  constructor(private readonly port: PortLike) {
    port.on('message', (message) => this.receive(message as Message))
  }

  /** Answer requests of an op. A handler's result must be cloneable. */
  handle(op: string, handler: Handler): this {
    this.handlers.set(op, handler)
    return this
  }

  /** Take one-way notes of an op. */
  onNote(op: string, handler: NoteHandler): this {
    this.noteHandlers.set(op, handler)
    return this
  }

  request<T = unknown>(op: string, arg?: unknown): Promise<T> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith)
    const id = ++this.nextId
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, {resolve: resolve as (value: unknown) => void, reject})
      this.send({t: 'req', id, op, arg}, () => {
        this.pending.delete(id)
      }, reject)
    })
  }

  /** Notes go at once, not batched: a note that cannot be cloned throws to its sender. */
  note(op: string, arg?: unknown): void {
    if (this.closedWith !== undefined) return
    this.post({t: 'note', op, arg}, undefined, undefined)
  }

  /** Reject every pending request, and any later one, with this error. */
  close(error: StewardError): void {
    this.closedWith ??= error
    for (const pending of this.pending.values()) pending.reject(error)
    this.pending.clear()
  }

  /** Requests waiting for an answer. */
  get pendingCount(): number {
    return this.pending.size
  }

  private receive(message: Message): void {
    switch (message.t) {
      case 'batch': {
        for (const each of message.messages) this.receive(each)
        return
      }
      case 'req': {
        void this.answer(message.id, message.op, message.arg)
        return
      }
      case 'note': {
        this.noteHandlers.get(message.op)?.(message.arg)
        return
      }
      case 'ok':
      case 'err': {
        const pending = this.pending.get(message.id)
        if (pending === undefined) return
        this.pending.delete(message.id)
        if (message.t === 'ok') pending.resolve(message.value)
        else pending.reject(fromPortError(message.error))
      }
    }
  }

  private async answer(id: number, op: string, arg: unknown): Promise<void> {
    const handler = this.handlers.get(op)
    try {
      if (handler === undefined) throw new StewardError('PROTOCOL_ERROR', `No handler for "${op}" across the generation port.`)
      const value = await handler(arg)
      this.send({t: 'ok', id, value}, undefined, (error) => this.send({t: 'err', id, error: toWireError(error)}))
    } catch (error) {
      this.send({t: 'err', id, error: toWireError(error)})
    }
  }

  /** Queue a request or an answer; what is queued in one turn leaves in one message. */
  private send(message: Message, onFailure?: () => void, fail?: (error: unknown) => void): void {
    this.outgoing.push({message, onFailure, fail})
    if (this.outgoing.length === 1) queueMicrotask(() => this.flush())
  }

  private flush(): void {
    const batch = this.outgoing
    this.outgoing = []
    if (batch.length > 1) {
      try {
        this.port.postMessage({t: 'batch', messages: batch.map((entry) => entry.message)})
        return
      } catch {
        // One value of the batch cannot be cloned: post each alone, so only that one fails.
      }
    }
    for (const {message, onFailure, fail} of batch) this.post(message, onFailure, fail)
  }

  /**
   * Post a message. A value the structured clone refuses (a function among its fields) is sent as
   * JSON would carry it over the wire; one JSON cannot encode either (nesting too deep, a cycle)
   * fails only this message, as the RPC server answers a result it cannot encode.
   */
  private post(message: Message, onFailure: (() => void) | undefined, fail: ((error: unknown) => void) | undefined): void {
    try {
      this.port.postMessage(message)
      return
    } catch (cloneError) {
      const failure = this.sendAsJson(message, cloneError)
      if (failure === undefined) return
      onFailure?.()
      if (fail === undefined) throw failure
      fail(failure)
    }
  }

  private sendAsJson(message: Message, cloneError: unknown): StewardError | undefined {
    const key = message.t === 'ok' ? 'value' : message.t === 'req' || message.t === 'note' ? 'arg' : undefined
    try {
      if (key === undefined) throw cloneError
      const value = (message as Record<string, unknown>)[key]
      this.port.postMessage({...message, [key]: value === undefined ? undefined : JSON.parse(JSON.stringify(value))})
      return undefined
    } catch (error) {
      return new StewardError('REMOTE_ERROR', `The value could not be encoded as JSON: ${(error as Error).message}`, {cause: error})
    }
  }
}
