export {errorCatalog, type ErrorCode} from './catalog.js'
export {StewardError, isStewardError, describeError, type SerializedError, type StewardErrorOptions} from './steward-error.js'
