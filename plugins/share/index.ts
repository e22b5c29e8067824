import {definePlugin} from 'steward'
import {LocalfsShareDriver} from './drivers/localfs.js'
import {MemoryShareDriver} from './drivers/memory.js'
import {ShareManager} from './share-manager.js'
import {sharesApi} from './shares-api.js'

/**
 * The share service and its drivers. Run one service per backend with the `backends` of the
 * `share` section; the `scheduler` plugin places shares on them, and the `shares-api` routes
 * take requests for shares over HTTP (docs/share.md).
 */
export default definePlugin({
  name: 'steward-plugin-share',
  steward: '^0.1.0',
  managers: {share: ShareManager},
  drivers: {'share-memory': MemoryShareDriver, 'share-localfs': LocalfsShareDriver},
  routes: {'shares-api': sharesApi},
})
