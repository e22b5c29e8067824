import {Args} from '@oclif/core'
import {ShareCommand} from '../../cli/share-command.js'
import {resizeShare} from '../../share-requests.js'
import type {ShareRecord} from '../../share-types.js'

export default class ShareShrink extends ShareCommand {
  static override summary = 'Shrink a share to NEW_SIZE GiB; refused when its data would not fit.'
  static override description = 'The backend holding the share changes it; a failure leaves the share as it was and says why.'
  static override examples = ['<%= config.bin %> share shrink 4b1f0c7e-… 1', '<%= config.bin %> share shrink 4b1f0c7e-… 1 --json']

  static override args = {
    id: Args.string({description: 'The share\'s id.', required: true}),
    new_size: Args.integer({description: 'The new size in GiB.', required: true}),
  }

  async run(): Promise<ShareRecord> {
    const {args, flags} = await this.parse(ShareShrink)
    const share = await this.withShares(flags, (context) => resizeShare(context, args.id, 'shrink', args.new_size))
    this.printShare(share)
    return share
  }
}
