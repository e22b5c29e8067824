import {StewardError} from '../errors/index.js'
import type {GenerationStatus} from '../plugins/generation-slot.js'
import type {LocalDispatcher} from '../rpc/local-dispatcher.js'
import {HOST_TOPIC} from '../rpc/target-resolver.js'

/** A service as the host topic reports it. */
export interface ServiceSummary {
  topic: string
  binary: string
  host: string
  manager: string
  state: string
  generation: GenerationStatus | null
}

/** How the host topic's `metrics` answers: Prometheus' text format, or prom-client's JSON. */
export type MetricsFormat = 'text' | 'json'

/** What the host topic controls. */
export interface HostControl {
  readonly name: string
  readonly services: ReadonlyArray<{topic: string}>
  summary(service: HostControl['services'][number]): ServiceSummary
  startService(topic: string): Promise<ServiceSummary>
  stopService(topic: string): Promise<ServiceSummary>
  reloadService(topic: string, trigger?: string): Promise<ServiceSummary>
  metrics(format: MetricsFormat): Promise<unknown>
}

/** The version of the host topic's methods. */
export const HOST_TOPIC_VERSION = '1.0'

/**
 * Answer on the host's own topic, `host.<name>`: `status`, `start_service`, `stop_service`,
 * `reload_service` with `{topic}`, and `metrics` with `{format}`. This is how the CLI and monitors
 * act on a running host, and how API workers in other processes read the host's metrics.
 */
export function listenHostTopic(dispatcher: LocalDispatcher, host: HostControl): () => void {
  const methods: Record<string, (args: Record<string, unknown>) => unknown> = {
    status: () => ({host: host.name, pid: process.pid, services: host.services.map((service) => host.summary(service))}),
    start_service: (args) => host.startService(topicOf(args)),
    stop_service: (args) => host.stopService(topicOf(args)),
    reload_service: (args) => host.reloadService(topicOf(args), typeof args.trigger === 'string' ? args.trigger : undefined),
    metrics: (args) => host.metrics(formatOf(args)),
  }
  return dispatcher.listen({
    topic: HOST_TOPIC,
    server: host.name,
    version: HOST_TOPIC_VERSION,
    dispatch: async (_ctx, method, args) => {
      const handler = Object.hasOwn(methods, method) ? methods[method] : undefined
      if (handler === undefined) {
        throw new StewardError('NO_SUCH_METHOD', `The host topic has no method "${method}"; it has ${Object.keys(methods).join(', ')}.`, {data: {topic: HOST_TOPIC, server: host.name, method}})
      }
      return handler(args)
    },
  })
}

function topicOf(args: Record<string, unknown>): string {
  if (typeof args.topic !== 'string' || args.topic === '') throw new StewardError('INVALID_TARGET', 'Name the service\'s topic: {"topic": "<topic>"}.')
  return args.topic
}

function formatOf(args: Record<string, unknown>): MetricsFormat {
  const format = args.format ?? 'text'
  if (format !== 'text' && format !== 'json') throw new StewardError('INVALID_TARGET', `The metrics format is "text" or "json", not ${JSON.stringify(format)}.`)
  return format
}
