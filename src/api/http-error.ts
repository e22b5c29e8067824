/**
 * An error a plugin route or middleware throws to answer with a status of its choice: the body is
 * `{code, message}`. Told apart by `name`, so one from another copy of the SDK works too.
 *
 * @example
 * throw new HttpError(404, 'READING_NOT_FOUND', `No reading ${request.params.id}.`)
 */
export class HttpError extends Error {
  override readonly name = 'HttpError'

  constructor(
    /** 400–599. */
    readonly status: number,
    /** An UPPER_SNAKE code of the plugin's own. */
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export function isHttpError(error: unknown): error is HttpError {
  if (typeof error !== 'object' || error === null) return false
  const candidate = error as {name?: unknown; status?: unknown; code?: unknown; message?: unknown}
  return (
    candidate.name === 'HttpError' &&
    typeof candidate.status === 'number' &&
    Number.isInteger(candidate.status) &&
    candidate.status >= 400 &&
    candidate.status <= 599 &&
    typeof candidate.code === 'string' &&
    typeof candidate.message === 'string'
  )
}
