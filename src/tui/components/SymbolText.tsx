import {Text, Transform} from 'ink'
import {useCallback} from 'react'
import {hasOnlyNarrowSymbols, isPrintableAscii, restoreSymbols, standIn} from '../symbol-stand-ins.js'

/** A run of the text, in its own colour and styles or in the Text's. */
export interface Part {
  text: string
  color?: string | undefined
  dimColor?: boolean
  bold?: boolean
  inverse?: boolean
  underline?: boolean
}

export interface Props {
  parts: readonly Part[]
  inverse?: boolean
  bold?: boolean
  dimColor?: boolean
  /**
   * Whether Ink may measure stand-ins: false when the text may not fit its place (a line that
   * Ink cuts when the terminal is narrow), since a cut line keeps its stand-ins. `'all'` stands in
   * for every character (printable ASCII too), so that Ink measures and caches only the text's
   * length: for texts that never repeat, such as log lines, which would each add an entry to Ink
   * 6.8's size cache, never emptied. @default true
   */
  standIns?: boolean | 'all'
}

const isPlain = (part: Part) => part.color === undefined && part.dimColor !== true && part.bold !== true && part.inverse !== true && part.underline !== true

/**
 * One line of text with symbols (`▲ up`, `·`, `›`) that Ink lays out as cheaply as ASCII: it
 * measures stand-ins, and the symbols are put back as the line is written (symbol-stand-ins.ts).
 * The text must fit its place (Ink would cut or wrap it otherwise, and then the stand-ins show):
 * cells fitted to their columns, lines cut to the width. Text with other non-ASCII characters is
 * drawn as a plain Text.
 */
export function SymbolText({parts, inverse = false, bold = false, dimColor = false, standIns = true}: Props) {
  const text = parts.map((part) => part.text).join('')
  const every = standIns === 'all'
  const useStandIns = every ? isPrintableAscii(text) || hasOnlyNarrowSymbols(text) : standIns && hasOnlyNarrowSymbols(text)
  const restore = useCallback((line: string) => restoreSymbols(line, text, every), [text, every])
  const shown = (part: Part) => (useStandIns ? standIn(part.text, every) : part.text)
  const [only] = parts
  const styled =
    parts.length === 1 && only !== undefined && only.dimColor !== true && only.bold !== true && only.inverse !== true && only.underline !== true ? (
      <Text wrap="truncate" inverse={inverse} bold={bold} dimColor={dimColor} {...(only.color === undefined ? {} : {color: only.color})}>
        {shown(only)}
      </Text>
    ) : (
      <Text wrap="truncate" inverse={inverse} bold={bold} dimColor={dimColor}>
        {parts.map((part, index) =>
          isPlain(part) ? (
            shown(part)
          ) : (
            <Text key={index} dimColor={part.dimColor === true} bold={part.bold === true} inverse={part.inverse === true} underline={part.underline === true} {...(part.color === undefined ? {} : {color: part.color})}>
              {shown(part)}
            </Text>
          ),
        )}
      </Text>
    )
  if (!useStandIns) return styled
  return (
    <Transform transform={restore} accessibilityLabel={text}>
      {styled}
    </Transform>
  )
}
