import {textTable} from 'steward/cli'
import {ShareCommand} from '../../cli/share-command.js'
import {listShares} from '../../share-requests.js'
import type {ShareRecord} from '../../share-types.js'

export default class ShareList extends ShareCommand {
  static override summary = 'List the shares that are not deleted, oldest first.'
  static override description = 'Reads the share records of the state store, as GET /v2/shares does.'
  static override examples = ['<%= config.bin %> share list', '<%= config.bin %> share list --json']

  async run(): Promise<ShareRecord[]> {
    const {flags} = await this.parse(ShareList)
    const shares = await this.withShares(flags, (context) => listShares(context))
    if (!this.jsonEnabled()) {
      this.log(
        textTable(
          ['ID', 'Name', 'Size', 'Status', 'Host', 'Export location'],
          shares.map((share) => [share.id, share.name ?? '-', String(share.size), share.status, share.host ?? '-', share.exportLocation ?? '-']),
        ),
      )
    }
    return shares
  }
}
