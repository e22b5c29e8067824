import {Args} from '@oclif/core'
import {resizeShare} from '../share-requests.js'
import type {ShareRecord} from '../share-types.js'
import {ShareCommand} from './share-command.js'

/** Base of `steward share extend` and `shrink`: the same arguments, one action each. */
export abstract class ResizeCommand extends ShareCommand {
  static action: 'extend' | 'shrink'
  static override description = 'The backend holding the share changes it; a failure leaves the share as it was and says why.'

  static override args = {
    id: Args.string({description: 'The share\'s id.', required: true}),
    new_size: Args.integer({description: 'The new size in GiB.', required: true}),
  }

  async run(): Promise<ShareRecord> {
    const {action} = this.constructor as typeof ResizeCommand
    // Named, not the class: oclif spreads the class it is given, which leaves inherited args out.
    const {args, flags} = await this.parse({args: ResizeCommand.args, baseFlags: ResizeCommand.baseFlags, enableJsonFlag: true})
    const share = await this.withShares(flags, (context) => resizeShare(context, args.id, action, args.new_size))
    this.printShare(share)
    return share
  }
}
