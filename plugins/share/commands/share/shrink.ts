import {ResizeCommand} from '../../cli/resize-command.js'

export default class ShareShrink extends ResizeCommand {
  static override action = 'shrink' as const
  static override summary = 'Shrink a share to NEW_SIZE GiB; refused when its data would not fit.'
  static override examples = ['<%= config.bin %> share shrink 4b1f0c7e-… 1', '<%= config.bin %> share shrink 4b1f0c7e-… 1 --json']
}
