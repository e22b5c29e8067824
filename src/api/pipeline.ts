import type {FastifyInstance} from 'fastify'
import {StewardError} from '../errors/index.js'
import type {ApiExample, ApiPipelineEntry} from './api-types.js'
import {isRouteSet, prefixOf} from './check-pipeline-entry.js'
import {registerCoreRoutes, type ApiDeps} from './core-routes.js'
import {registerMetricsRoute} from './metrics-route.js'
import {addMiddleware, mountRouteSet} from './plugin-routes.js'
import {addRequestLog} from './request-log.js'

/** One element of the pipeline, resolved: where it comes from and how it is mounted. */
export interface PipelineElement {
  name: string
  /** `steward`, or the plugin that provides it. */
  provider: string
  kind: 'routes' | 'middleware'
  /** Routes: register them (in a context of their own). Middleware: add its hooks to the context. */
  mount(app: FastifyInstance): void
  /** Routes: a request worth trying, its path in full. */
  example?: ApiExample
}

/** Where plugins' route sets and middleware come from (the plugin registry). */
export interface RouteSource {
  readonly plugins: ReadonlyArray<{routes: readonly string[]}>
  loadRoutes(name: string): Promise<{entry: ApiPipelineEntry; plugin: {name: string}} | undefined>
}

/** steward's own elements, by name. */
function coreElements(deps: ApiDeps): Record<string, PipelineElement> {
  return {
    metrics: {name: 'metrics', provider: 'steward', kind: 'routes', mount: (app) => void app.register((child, _options, done) => (registerMetricsRoute(child, deps), done()))},
    'request-log': {name: 'request-log', provider: 'steward', kind: 'middleware', mount: (app) => addRequestLog(app, deps.log, deps.logLevel)},
    core: {
      name: 'core',
      provider: 'steward',
      kind: 'routes',
      mount: (app) => void app.register((child, _options, done) => (registerCoreRoutes(child, deps), done())),
      example: {method: 'GET', path: '/v1/services'},
    },
  }
}

export const coreElementNames = ['metrics', 'request-log', 'core'] as const

/**
 * Resolve `<name>_pipeline` to its elements, steward's first, then plugins' (whose code is
 * imported now, in this thread). Refuses an unknown name, a name given twice, a pipeline without
 * routes, and middleware after the last route set (it would apply to nothing).
 */
export async function resolvePipeline(names: readonly string[], source: RouteSource, deps: ApiDeps, option = 'api_pipeline'): Promise<PipelineElement[]> {
  const core = coreElements(deps)
  const refuse = (message: string, suggestion: string): StewardError =>
    new StewardError('API_PIPELINE_INVALID', `${option} ${JSON.stringify(names)}: ${message}`, {data: {pipeline: [...names]}, suggestions: [suggestion, 'See docs/api.md, "The pipeline".']})
  const twice = names.find((name, index) => names.indexOf(name) !== index)
  if (twice !== undefined) throw refuse(`"${twice}" is listed twice.`, 'List each middleware and route set once.')
  const elements: PipelineElement[] = []
  for (const name of names) {
    const own = Object.hasOwn(core, name) ? core[name] : undefined
    if (own !== undefined) {
      elements.push(own)
      continue
    }
    const loaded = await source.loadRoutes(name)
    if (loaded === undefined) {
      const known = [...coreElementNames, ...source.plugins.flatMap((plugin) => plugin.routes)]
      throw refuse(`no middleware or route set is named "${name}".`, `Known: ${known.join(', ')} (steward's, and those of plugins' "steward.routes").`)
    }
    const {entry, plugin} = loaded
    if (!isRouteSet(entry)) {
      elements.push({name, provider: plugin.name, kind: 'middleware', mount: (app) => addMiddleware(app, entry, plugin.name, deps)})
      continue
    }
    const prefix = prefixOf(name, entry)
    elements.push({
      name,
      provider: plugin.name,
      kind: 'routes',
      mount: (app) => mountRouteSet(app, entry, prefix, plugin.name, deps),
      ...(entry.example === undefined ? {} : {example: {...entry.example, path: `${prefix}${entry.example.path}`}}),
    })
  }
  const lastRoutes = elements.findLastIndex((element) => element.kind === 'routes')
  if (lastRoutes === -1) throw refuse('no route set: the API would answer nothing but 404.', 'Add "core" (steward\'s routes) or a plugin\'s route set.')
  const idle = elements.slice(lastRoutes + 1)
  if (idle.length > 0) throw refuse(`middleware ${idle.map((element) => `"${element.name}"`).join(', ')} comes after the last route set, so it applies to nothing.`, 'A middleware applies to the route sets after it: move it before them.')
  return elements
}

/** The request to try first: the example of the last route set that has one (plugins' come after core). */
export function pipelineExample(elements: readonly PipelineElement[]): ApiExample | undefined {
  return elements.findLast((element) => element.example !== undefined)?.example
}

/**
 * Mount the elements in order, as Paste nests filters: each middleware opens a context that holds
 * everything after it, so it applies to the route sets that follow it and to no other.
 */
export function mountPipeline(app: FastifyInstance, elements: readonly PipelineElement[]): void {
  for (const [index, element] of elements.entries()) {
    if (element.kind === 'routes') {
      element.mount(app)
      continue
    }
    void app.register((child, _options, done) => {
      element.mount(child)
      mountPipeline(child, elements.slice(index + 1))
      done()
    })
    return
  }
}
