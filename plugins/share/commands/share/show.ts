import {Args} from '@oclif/core'
import {ShareCommand} from '../../cli/share-command.js'
import {getShare} from '../../share-requests.js'
import type {ShareRecord} from '../../share-types.js'

export default class ShareShow extends ShareCommand {
  static override summary = 'Show a share: its size, status (and why), backend and export location.'
  static override examples = ['<%= config.bin %> share show 4b1f0c7e-…', '<%= config.bin %> share show 4b1f0c7e-… --json']

  static override args = {
    id: Args.string({description: 'The share\'s id.', required: true}),
  }

  async run(): Promise<ShareRecord> {
    const {args, flags} = await this.parse(ShareShow)
    const share = await this.withShares(flags, (context) => getShare(context, args.id))
    this.printShare(share)
    return share
  }
}
