import {Flags} from '@oclif/core'
import {durationMs} from 'steward/cli'
import {ShareCommand} from '../../cli/share-command.js'
import {purgeDeletedShares} from '../../share-requests.js'
import {ShareError, type ShareRecord} from '../../share-types.js'

export default class SharePurge extends ShareCommand {
  static override summary = 'Remove the records of shares deleted more than a given time ago.'
  static override description =
    'A deleted share keeps its record, status `deleted`, so that its history can be read; every write to the state store rewrites those records too. This removes the ones deleted before --older-than ago, as Manila\'s `manila-manage db purge` does. Shares that are not deleted are never touched.'

  static override examples = ['<%= config.bin %> share purge --older-than 30d', '<%= config.bin %> share purge --older-than 12h --dry-run', '<%= config.bin %> share purge --older-than 0 --json']

  static override flags = {
    'older-than': Flags.string({description: 'Purge shares deleted at least this long ago: 30d, 12h, 90m, 0 for all (a bare number is days).', required: true}),
    'dry-run': Flags.boolean({description: 'List what would be purged, and remove nothing.', default: false}),
  }

  async run(): Promise<{purged: number; dryRun: boolean; shares: ShareRecord[]}> {
    const {flags} = await this.parse(SharePurge)
    const age = durationMs(flags['older-than'], 'd')
    if (age === undefined) {
      throw new ShareError('SHARE_REQUEST_INVALID', `--older-than must be a time such as 30d, 12h or 90m, not "${flags['older-than']}".`, {flag: 'older-than', value: flags['older-than']})
    }
    const dryRun = flags['dry-run']
    const shares = await this.withShares(flags, (context) => purgeDeletedShares(context, Date.now() - age, dryRun))
    if (!this.jsonEnabled()) {
      const verb = dryRun ? 'Would purge' : 'Purged'
      this.log(`${verb} ${shares.length} deleted share${shares.length === 1 ? '' : 's'}${shares.length === 0 ? '.' : ':'}`)
      for (const share of shares) this.log(`  ${share.id}  ${share.name ?? '-'}  deleted ${share.updatedAt}`)
    }
    return {purged: shares.length, dryRun, shares}
  }
}
