import type {ApiMethod, ApiMiddleware, ApiPipelineEntry, ApiRouteSet} from './api-types.js'

export const apiMethods: readonly ApiMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

/** Prefixes that are steward's own; a plugin's route set may not be mounted there. */
export const reservedPrefixes = ['/v1', '/healthz', '/metrics'] as const

const SEGMENTS = /^(\/[\w.~-]+)+$/
const ROUTE_PATH = /^\/([\w.~:-]+(\/[\w.~:-]+)*)?$/
const middlewareHooks = new Set(['onRequest', 'onResponse'])
const routeKeys = new Set(['method', 'path', 'schema', 'status', 'handler'])
const schemaParts = new Set(['body', 'querystring', 'params'])

export function isRouteSet(entry: ApiPipelineEntry): entry is ApiRouteSet {
  return Object.hasOwn(entry, 'routes')
}

export function isMiddleware(entry: ApiPipelineEntry): entry is ApiMiddleware {
  return !isRouteSet(entry)
}

/** The prefix a route set is mounted at. */
export function prefixOf(name: string, routeSet: ApiRouteSet): string {
  return routeSet.prefix ?? `/${name}`
}

/**
 * What is wrong with a plugin's `routes` entry, or undefined when it is a well-formed route set or
 * middleware. Checked when the plugin loads, so a broken entry fails there with the plugin's name.
 */
export function pipelineEntryProblem(name: string, entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'must be a route set ({prefix, routes: [...]}) or a middleware ({onRequest, onResponse})'
  if (Object.hasOwn(entry, 'routes')) return routeSetProblem(name, entry as Record<string, unknown>)
  const keys = Object.keys(entry)
  const unknown = keys.filter((key) => !middlewareHooks.has(key))
  if (unknown.length > 0) return `has ${unknown.map((key) => `"${key}"`).join(', ')}: a route set has "routes", a middleware only onRequest and onResponse`
  if (keys.length === 0) return 'is a middleware without hooks: give it onRequest or onResponse'
  for (const key of keys) {
    if (typeof (entry as Record<string, unknown>)[key] !== 'function') return `${key} must be a function`
  }
  return undefined
}

function routeSetProblem(name: string, set: Record<string, unknown>): string | undefined {
  const prefix = set.prefix ?? `/${name}`
  if (typeof prefix !== 'string' || !SEGMENTS.test(prefix)) return `prefix ${JSON.stringify(prefix)} must be a path such as "/meter" (letters, digits, ".", "_", "~", "-")`
  const reserved = reservedPrefixes.find((candidate) => prefix === candidate || prefix.startsWith(`${candidate}/`))
  if (reserved !== undefined) return `prefix ${prefix} is steward's own (${reservedPrefixes.join(', ')}); mount the routes elsewhere`
  const unknownKeys = Object.keys(set).filter((key) => key !== 'prefix' && key !== 'routes' && key !== 'example')
  if (unknownKeys.length > 0) return `has ${unknownKeys.map((key) => `"${key}"`).join(', ')}: a route set has only prefix, routes and example`
  if (!Array.isArray(set.routes) || set.routes.length === 0) return 'routes must be a non-empty list of {method, path, handler}'
  for (const [index, route] of (set.routes as unknown[]).entries()) {
    const problem = routeProblem(route)
    if (problem !== undefined) return `route ${index + 1}${describeRoute(route)} ${problem}`
  }
  if (set.example !== undefined && !isExample(set.example)) return 'example must be {method, path, body?}: a request to one of its routes, such as {"method": "GET", "path": "/readings"}'
  return undefined
}

function routeProblem(route: unknown): string | undefined {
  if (typeof route !== 'object' || route === null) return 'must be an object {method, path, handler}'
  const {method, path, handler, schema, status} = route as Record<string, unknown>
  const unknownKeys = Object.keys(route).filter((key) => !routeKeys.has(key))
  if (unknownKeys.length > 0) return `has ${unknownKeys.map((key) => `"${key}"`).join(', ')}; a route has ${[...routeKeys].join(', ')}`
  if (typeof method !== 'string' || !(apiMethods as readonly string[]).includes(method)) return `method must be one of ${apiMethods.join(', ')}`
  if (typeof path !== 'string' || !ROUTE_PATH.test(path)) return 'path must start with "/" (":name" segments are parameters)'
  if (typeof handler !== 'function') return 'handler must be a function'
  if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 200 && (status as number) <= 299)) return 'status must be a 2xx status (throw HttpError for others)'
  if (schema !== undefined) {
    if (typeof schema !== 'object' || schema === null) return 'schema must be {body?, querystring?, params?} of JSON Schemas'
    for (const [part, value] of Object.entries(schema)) {
      if (!schemaParts.has(part)) return `schema.${part} is unknown; a schema has body, querystring and params`
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return `schema.${part} must be a JSON Schema object`
    }
  }
  return undefined
}

function isExample(example: unknown): boolean {
  if (typeof example !== 'object' || example === null) return false
  const {method, path} = example as Record<string, unknown>
  return typeof method === 'string' && (apiMethods as readonly string[]).includes(method) && typeof path === 'string' && ROUTE_PATH.test(path)
}

function describeRoute(route: unknown): string {
  if (typeof route !== 'object' || route === null) return ''
  const {method, path} = route as Record<string, unknown>
  return typeof method === 'string' && typeof path === 'string' ? ` (${method} ${path})` : ''
}
