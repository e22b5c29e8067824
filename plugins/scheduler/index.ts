import {definePlugin} from 'steward'
import {SchedulerManager} from './scheduler-manager.js'

/** The scheduler: it places shares on the backends of the `share` plugin (docs/share.md). */
export default definePlugin({
  name: 'steward-plugin-scheduler',
  steward: '^0.1.0',
  managers: {scheduler: SchedulerManager},
})
