import type {Logger} from '../log/logger.js'
import type {ApiEndpointRecord, StateStore} from '../store/types.js'

/**
 * Write an API's endpoint into its host's record (replacing one of the same name), so clients and
 * `steward hosts` find the port it got. Only the host's own process writes its record, so reading
 * it first loses nothing.
 */
export async function recordApiEndpoint(store: StateStore, hostName: string, endpoint: ApiEndpointRecord, log: Logger): Promise<void> {
  const host = (await store.listHosts()).find((candidate) => candidate.name === hostName)
  if (host === undefined) {
    log.warn(`no record of host ${hostName} to note the API endpoint ${endpoint.url} in`)
    return
  }
  await store.updateHost(hostName, {apis: [...(host.apis ?? []).filter((api) => api.name !== endpoint.name), endpoint]})
}

/** Take an API's endpoint out of its host's record; a failure is logged, never raised (a stop goes on). */
export async function forgetApiEndpoint(store: StateStore, hostName: string, name: string, log: Logger): Promise<void> {
  try {
    const host = (await store.listHosts()).find((candidate) => candidate.name === hostName)
    if (host?.apis === undefined) return
    await store.updateHost(hostName, {apis: host.apis.filter((api) => api.name !== name)})
  } catch (error) {
    log.warn('could not take the API endpoint out of the host record', {error})
  }
}
