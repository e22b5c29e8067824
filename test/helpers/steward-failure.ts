import {isStewardError, type StewardError} from '../../src/errors/index.js'

/** The StewardError a promise rejects with; anything else (a resolution, another error) fails the test. */
export async function stewardFailure(promise: Promise<unknown>): Promise<StewardError> {
  try {
    await promise
  } catch (error) {
    if (isStewardError(error)) return error
    throw error
  }
  throw new Error('expected a StewardError')
}
