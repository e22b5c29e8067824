import type {ScaffoldNames} from './scaffold-names.js'
import type {ScaffoldLanguage} from './typescript-only.js'

// The plugin's package.json, tsconfig.json and README.

export function packageJsonTemplate({name, packageName, stewardRange, driver}: ScaffoldNames, language: ScaffoldLanguage): string {
  const ts = language === 'ts'
  const manifest = {
    name: packageName,
    version: '0.1.0',
    description: `A steward plugin: the ${name} service and its drivers.`,
    keywords: ['steward-plugin'],
    type: 'module',
    main: `index.${language}`,
    // Checked before any of the plugin's code runs; definePlugin's steward range when it loads.
    engines: {steward: stewardRange},
    scripts: ts ? {test: 'node --import tsx --test test/*.test.ts', typecheck: 'tsc'} : {test: 'node --test test/*.test.js'},
    // steward for its types and steward/testing; a host gives plugin code its own SDK.
    devDependencies: ts ? {'@types/node': '^20.19.0', steward: stewardRange, tsx: '^4.20.0', typescript: '^5.9.0'} : {steward: stewardRange},
    steward: {managers: [name], drivers: [driver]},
  }
  return `${JSON.stringify(manifest, null, 2)}\n`
}

export function tsconfigTemplate(): string {
  const config = {
    compilerOptions: {target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noImplicitOverride: true, skipLibCheck: true, noEmit: true},
    include: ['**/*.ts'],
    exclude: ['node_modules'],
  }
  return `${JSON.stringify(config, null, 2)}\n`
}

const FENCE = '```'

export function readmeTemplate({name, pascal, packageName, driver}: ScaffoldNames, language: ScaffoldLanguage): string {
  const ext = language
  return `# ${packageName}

A steward plugin: the \`${name}\` service. Its manager takes a reading
through a driver every 30 seconds and answers \`status\` and \`read\` over RPC; its driver family is
\`${pascal}Driver\`, with one driver, \`${driver}\`.

| file | what it is |
|---|---|
| \`package.json\` | the \`steward\` field names what the plugin provides; \`engines.steward\` the steward versions it works with |
| \`index.${ext}\` | the entry: \`export default definePlugin({...})\` |
| \`${name}-manager.${ext}\` | the manager: RPC methods, a periodic task, the driver's set-up |
| \`${name}-driver.${ext}\` | the driver family: the methods every driver implements |
| \`drivers/counter.${ext}\` | the \`${driver}\` driver |
| \`test/${name}.test.${ext}\` | runs the plugin in a real host with \`steward/testing\` |

## Run it

Add the folder that holds this plugin to \`plugin_dirs\` in \`steward.json\` (or run
\`steward plugins link .\` here), choose the driver, and start the service:

${FENCE}json
{"plugin_dirs": ["<the folder that holds ${name}/>"], "${name}": {"driver": "${driver}", "start": 0}}
${FENCE}

${FENCE}sh
steward start ${name}
steward call ${name} status
steward call ${name} read
${FENCE}

## Test

${FENCE}sh
npm install
npm test
${FENCE}

The test needs \`steward\` installed beside the plugin (it is a dev dependency); to test against a
steward checkout instead, run \`npm link\` in the checkout and \`npm link steward\` here.

## Next

- Write a driver for your backend in \`drivers/\`, list it in \`package.json\` and \`index.${ext}\`, and
  choose it with \`"${name}": {"driver": "<name>"}\`.
- Add RPC methods to the manager and to its \`rpcMethods\`, and raise the minor of \`rpcApiVersion\`.
- steward's docs/plugins.md is the guide to all of it.
`
}
