// A module resolution hook (node:module register): `import ... from 'steward'` in plugin code
// resolves to the running host's SDK, wherever the plugin is installed.
interface ResolveContext {
  conditions: string[]
  parentURL?: string
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{url: string}>

let sdkUrl = ''

export function initialize(data: {sdkUrl: string}): void {
  sdkUrl = data.sdkUrl
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<{url: string; shortCircuit?: boolean}> {
  if (specifier === 'steward') return {url: sdkUrl, shortCircuit: true}
  return nextResolve(specifier, context)
}
