import {errorCatalog, type ErrorCode} from './catalog.js'

export interface StewardErrorOptions {
  cause?: unknown
  /** What the user can do about it, one sentence each. */
  suggestions?: readonly string[]
  /** Structured details that travel with the error (file, key path, …). */
  data?: Record<string, unknown>
  /** Whether trying the same thing again may succeed. */
  retryable?: boolean
}

/** The plain-data form an error takes when it crosses a process or thread boundary. */
export interface SerializedError {
  name: string
  code: string
  message: string
  data: Record<string, unknown>
  retryable: boolean
  suggestions: string[]
}

/**
 * The one error class of steward. Code identifies the error; the catalog gives its exit code.
 * Check errors with {@link isStewardError} or by `code`, not `instanceof`: a plugin generation
 * may carry its own copy of this class.
 */
export class StewardError extends Error {
  override readonly name = 'StewardError'
  readonly code: ErrorCode
  readonly suggestions: readonly string[]
  readonly data: Record<string, unknown>
  readonly retryable: boolean

  constructor(code: ErrorCode, message: string, options: StewardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.code = code
    this.suggestions = options.suggestions ?? []
    this.data = options.data ?? {}
    this.retryable = options.retryable ?? false
  }

  get exitCode(): number {
    return errorCatalog[this.code].exitCode
  }

  toJSON(): SerializedError {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      data: this.data,
      retryable: this.retryable,
      suggestions: [...this.suggestions],
    }
  }
}

export function isStewardError(error: unknown, code?: ErrorCode): error is StewardError {
  if (typeof error !== 'object' || error === null) return false
  const candidate = error as {name?: unknown; code?: unknown}
  if (candidate.name !== 'StewardError' || typeof candidate.code !== 'string') return false
  return code === undefined || candidate.code === code
}

/** The message of anything thrown, for logs. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
