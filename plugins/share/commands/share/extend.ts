import {Args} from '@oclif/core'
import {ShareCommand} from '../../cli/share-command.js'
import {resizeShare} from '../../share-requests.js'
import type {ShareRecord} from '../../share-types.js'

export default class ShareExtend extends ShareCommand {
  static override summary = 'Grow a share to NEW_SIZE GiB.'
  static override description = 'The backend holding the share changes it; a failure leaves the share as it was and says why.'
  static override examples = ['<%= config.bin %> share extend 4b1f0c7e-… 5', '<%= config.bin %> share extend 4b1f0c7e-… 5 --json']

  static override args = {
    id: Args.string({description: 'The share\'s id.', required: true}),
    new_size: Args.integer({description: 'The new size in GiB.', required: true}),
  }

  async run(): Promise<ShareRecord> {
    const {args, flags} = await this.parse(ShareExtend)
    const share = await this.withShares(flags, (context) => resizeShare(context, args.id, 'extend', args.new_size))
    this.printShare(share)
    return share
  }
}
