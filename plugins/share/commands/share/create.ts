import {Args, Flags} from '@oclif/core'
import {ShareCommand} from '../../cli/share-command.js'
import {createShare, getShare} from '../../share-requests.js'
import type {ShareRecord} from '../../share-types.js'

/** How often --wait reads the share's status. */
const WAIT_POLL_MS = 200

export default class ShareCreate extends ShareCommand {
  static override summary = 'Ask the scheduler for a new share of SIZE GiB.'
  static override description =
    'The scheduler places it on the share backend with the most free space that fits (docs/share.md) and answers at once: the share is `creating` on that backend, or in `error` with the reason no backend fits now. With --wait the command waits until it is `available` or in `error`.'
  static override examples = [
    '<%= config.bin %> share create 2 --name docs',
    '<%= config.bin %> share create 10 --zone nova --wait',
    '<%= config.bin %> share create 1 --json',
  ]

  static override args = {
    size: Args.integer({description: 'Size in GiB, a whole number ≥ 1.', required: true}),
  }

  static override flags = {
    name: Flags.string({summary: 'A name for the share.'}),
    zone: Flags.string({summary: 'Place it in this availability zone only.'}),
    wait: Flags.boolean({summary: 'Wait until the share is available or in error.'}),
  }

  async run(): Promise<ShareRecord> {
    const {args, flags} = await this.parse(ShareCreate)
    const share = await this.withShares(flags, async (context) => {
      const created = await createShare(context, {size: args.size, name: flags.name, availability_zone: flags.zone})
      if (!flags.wait) return created
      let share = created
      while (share.status === 'creating') {
        await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS))
        share = await getShare(context, created.id)
      }
      return share
    })
    this.printShare(share)
    // No backend could take it: the record is printed all the same, and the exit status says so.
    if (share.status === 'error') process.exitCode = 1
    return share
  }
}
