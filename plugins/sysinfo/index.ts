import {definePlugin} from 'steward'
import {NodeOsDriver} from './drivers/node-os.js'
import {ProcfsDriver} from './drivers/procfs.js'
import {SysinfoManager} from './sysinfo-manager.js'

export default definePlugin({
  name: 'steward-plugin-sysinfo',
  steward: '^0.1.0',
  managers: {sysinfo: SysinfoManager},
  drivers: {'node-os': NodeOsDriver, procfs: ProcfsDriver},
})
