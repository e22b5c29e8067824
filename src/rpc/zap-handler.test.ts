import {curveKeyPair} from 'zeromq'
import {describe, expect, it} from 'vitest'
import {isZ85Key} from './key-file.js'
import {z85Encode} from './zap-handler.js'

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#'

/** Z85 decoding written from ZeroMQ RFC 32, independently of the code under test. */
function z85Decode(text: string): Buffer {
  const bytes = Buffer.alloc((text.length / 5) * 4)
  for (let chunk = 0; chunk < text.length / 5; chunk++) {
    let value = 0
    for (const char of text.slice(chunk * 5, chunk * 5 + 5)) value = value * 85 + ALPHABET.indexOf(char)
    bytes.writeUInt32BE(value, chunk * 4)
  }
  return bytes
}

describe('z85Encode', () => {
  it('gives RFC 32\'s test vector: 86 4F D2 6F B5 59 F7 5B is "HelloWorld"', () => {
    expect(z85Encode(Uint8Array.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]))).toBe('HelloWorld')
  })

  it('encodes the extremes of a 4-byte group', () => {
    expect(z85Encode(Uint8Array.from([0, 0, 0, 0]))).toBe('00000')
    expect(z85Encode(Uint8Array.from([0xff, 0xff, 0xff, 0xff]))).toBe('%nSc0')
    expect(z85Encode(new Uint8Array(0))).toBe('')
  })

  it('gives back the text of keys made by zeromq\'s curveKeyPair, from their 32 bytes', () => {
    for (let round = 0; round < 50; round++) {
      const {publicKey, secretKey} = curveKeyPair()
      for (const key of [publicKey, secretKey]) {
        const bytes = z85Decode(key)
        expect(bytes).toHaveLength(32)
        expect(z85Encode(bytes)).toBe(key)
        expect(isZ85Key(key)).toBe(true)
      }
    }
  })
})
