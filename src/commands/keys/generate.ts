import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {Flags} from '@oclif/core'
import {StewardCommand} from '../../cli/base-command.js'

export default class KeysGenerate extends StewardCommand {
  static override summary = 'Generate a CURVE key pair for RPC over TCP.'
  static override description = `Writes {"publicKey", "secretKey"} (Z85) to the file, mode 0600, and prints the public key. Point rpc_curve_server_key at a host's file; give clients' public keys to rpc_curve_allowed_clients, and each client its own file in rpc_curve_client_key.`
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> keys generate --out host.key', '<%= config.bin %> keys generate --out operator.key --json']

  static override flags = {
    out: Flags.string({summary: 'File to write; refused if it exists.', required: true}),
  }

  async run(): Promise<{file: string; publicKey: string}> {
    const {flags} = await this.parse(KeysGenerate)
    const {curveKeyPair} = await import('zeromq')
    const keys = curveKeyPair()
    const file = path.resolve(flags.out)
    await writeFile(file, `${JSON.stringify(keys, null, 2)}\n`, {mode: 0o600, flag: 'wx'}).catch((error: NodeJS.ErrnoException) => {
      this.error(error.code === 'EEXIST' ? `${file} exists; refusing to overwrite a key.` : `Cannot write ${file}: ${error.message}`, {exit: 73})
    })
    this.log(`Wrote ${file}. Public key: ${keys.publicKey}`)
    return {file, publicKey: keys.publicKey}
  }
}
