// A module resolution hook (node:module register): `import ... from 'steward'` (or 'steward/cli')
// in plugin code resolves to the running host's SDK, wherever the plugin is installed.
interface ResolveContext {
  conditions: string[]
  parentURL?: string
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{url: string}>

let urls: Record<string, string> = {}

export function initialize(data: {sdkUrl: string; cliUrl: string}): void {
  urls = {steward: data.sdkUrl, 'steward/cli': data.cliUrl}
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<{url: string; shortCircuit?: boolean}> {
  const url = urls[specifier]
  if (url !== undefined) return {url, shortCircuit: true}
  return nextResolve(specifier, context)
}
