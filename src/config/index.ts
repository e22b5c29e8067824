export {loadConfig, describeSource, type StewardConfig, type TopicSection, type ValueSource, type ConfigFlags} from './load-config.js'
export {coreOptions, coreOptionKeys, envName, topicSectionKeys, type CoreOptions, type LogLevel} from './options.js'
