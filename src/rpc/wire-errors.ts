import {errorCatalog, StewardError, type ErrorCode} from '../errors/index.js'

/** An error as it crosses the wire. */
export interface WireError {
  name: string
  code: string
  message: string
  data: Record<string, unknown>
  retryable: boolean
  /** What the user may do about it, when the error says (a StewardError's suggestions); absent when none. */
  suggestions?: string[]
}

/**
 * A remote failure whose code steward does not know (a plugin's own error): its code, message and
 * data arrive unchanged.
 */
export class RemoteError extends Error {
  override readonly name = 'RemoteError'
  readonly code: string
  readonly remoteName: string
  readonly data: Record<string, unknown>
  readonly retryable: boolean
  readonly suggestions: readonly string[]

  constructor(wire: WireError) {
    super(wire.message)
    this.code = wire.code
    this.remoteName = wire.name
    this.data = wire.data
    this.retryable = wire.retryable
    this.suggestions = wire.suggestions ?? []
  }

  get exitCode(): number {
    return errorCatalog.REMOTE_ERROR.exitCode
  }
}

/** Turn anything thrown by a method into wire data. */
export function toWireError(error: unknown): WireError {
  if (typeof error === 'object' && error !== null) {
    const candidate = error as Partial<Omit<WireError, 'suggestions'>> & {message?: unknown; suggestions?: unknown}
    const wire: WireError = {
      // A RemoteError passed on (through a generation's port, or a relay) keeps its original name.
      name: error instanceof RemoteError ? error.remoteName : typeof candidate.name === 'string' ? candidate.name : 'Error',
      code: typeof candidate.code === 'string' ? candidate.code : 'REMOTE_ERROR',
      message: typeof candidate.message === 'string' ? candidate.message : String(error),
      data: isRecord(candidate.data) ? candidate.data : {},
      retryable: candidate.retryable === true,
    }
    if (isSuggestions(candidate.suggestions) && candidate.suggestions.length > 0) wire.suggestions = [...candidate.suggestions]
    return wire
  }
  return {name: 'Error', code: 'REMOTE_ERROR', message: String(error), data: {}, retryable: false}
}

/** Rebuild a received error: a StewardError when the code is steward's own, else a RemoteError. */
export function fromWireError(wire: WireError): StewardError | RemoteError {
  if (wire.name === 'StewardError' && Object.hasOwn(errorCatalog, wire.code)) {
    return new StewardError(wire.code as ErrorCode, wire.message, {data: wire.data, retryable: wire.retryable, ...(wire.suggestions === undefined ? {} : {suggestions: wire.suggestions})})
  }
  return new RemoteError(wire)
}

export function isWireError(value: unknown): value is WireError {
  if (!isRecord(value)) return false
  return (
    typeof value.name === 'string' &&
    typeof value.code === 'string' &&
    typeof value.message === 'string' &&
    isRecord(value.data) &&
    typeof value.retryable === 'boolean' &&
    (value.suggestions === undefined || isSuggestions(value.suggestions))
  )
}

function isSuggestions(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((suggestion) => typeof suggestion === 'string')
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
