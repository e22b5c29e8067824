import {ResizeCommand} from '../../cli/resize-command.js'

export default class ShareExtend extends ResizeCommand {
  static override action = 'extend' as const
  static override summary = 'Grow a share to NEW_SIZE GiB.'
  static override examples = ['<%= config.bin %> share extend 4b1f0c7e-… 5', '<%= config.bin %> share extend 4b1f0c7e-… 5 --json']
}
