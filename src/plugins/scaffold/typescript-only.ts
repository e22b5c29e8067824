/** The languages a plugin skeleton can be written in. */
export type ScaffoldLanguage = 'ts' | 'js'

/**
 * One template for both languages: text between « and » is TypeScript only (types, `override`,
 * `abstract`, interfaces). TypeScript keeps it without the marks; JavaScript drops it.
 */
export function forLanguage(template: string, language: ScaffoldLanguage): string {
  return language === 'ts' ? template.replaceAll(/[«»]/g, '') : template.replaceAll(/«[^»]*»/g, '')
}
