import {Args} from '@oclif/core'
import {ShareCommand} from '../../cli/share-command.js'
import {deleteShare} from '../../share-requests.js'
import type {ShareRecord} from '../../share-types.js'

export default class ShareDelete extends ShareCommand {
  static override summary = 'Delete a share and its data.'
  static override description = 'The backend holding it deletes the data, then the record reads `deleted`. A share in `error` that no backend took has no data: its record is deleted even with no share service running.'
  static override examples = ['<%= config.bin %> share delete 4b1f0c7e-…', '<%= config.bin %> share delete 4b1f0c7e-… --json']

  static override args = {
    id: Args.string({description: 'The share\'s id.', required: true}),
  }

  async run(): Promise<ShareRecord> {
    const {args, flags} = await this.parse(ShareDelete)
    const share = await this.withShares(flags, (context) => deleteShare(context, args.id))
    if (!this.jsonEnabled()) this.log(`Deleted share ${share.id}.`)
    return share
  }
}
