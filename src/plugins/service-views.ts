import type {StewardConfig} from '../config/load-config.js'
import type {ServiceInfo, ServiceQuery} from '../manager/manager.js'
import {viewService} from '../service/service-state.js'
import type {StateStore} from '../store/types.js'

/**
 * The services table as a manager may read it (`this.context.services`): records with their
 * state computed now against `service_down_time`, as `steward services list` shows them.
 */
export async function readServices(store: StateStore, config: StewardConfig, query: ServiceQuery = {}): Promise<ServiceInfo[]> {
  const records = await store.listServices(query.topic === undefined ? {} : {topic: query.topic})
  const now = new Date()
  return records.map((record) => viewService(record, now, config.options.service_down_time))
}
