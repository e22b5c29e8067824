import {textTable, withCommandContext, StewardCommand, type CommandContext} from 'steward/cli'
import {SHARE_PLUGIN, type ShareRecord} from '../share-types.js'

/** Base of the `steward share` commands: they reach the system as the shares API's routes do. */
export abstract class ShareCommand extends StewardCommand {
  static override enableJsonFlag = true

  /** Run fn with the share plugin's collections and an RPC client, for the configuration of the flags. */
  protected withShares<T>(flags: {config?: string | undefined; 'state-dir'?: string | undefined}, fn: (context: CommandContext) => Promise<T>): Promise<T> {
    return withCommandContext(this.loadConfig(flags), SHARE_PLUGIN, fn)
  }

  /** Print a share as a table of its fields, unless --json. */
  protected printShare(share: ShareRecord): void {
    if (this.jsonEnabled()) return
    const fields: Array<[string, unknown]> = [
      ['ID', share.id],
      ['Name', share.name],
      ['Size (GiB)', share.size],
      ['Status', share.status],
      ['Reason', share.statusReason],
      ['Availability zone', share.availabilityZone],
      ['Host', share.host],
      ['Export location', share.exportLocation],
      ['Created at', share.createdAt],
      ['Updated at', share.updatedAt],
    ]
    this.log(textTable(['Field', 'Value'], fields.map(([field, value]) => [field, value === null ? '-' : String(value)])))
  }
}
