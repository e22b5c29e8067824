/**
 * `node --import` this module to run plugin code outside steward with its `import 'steward'`
 * resolved to this steward (`npm run manifest` does, to read the bundled plugins' commands).
 */
import {registerSdkResolution} from './sdk-resolution.js'

registerSdkResolution()
