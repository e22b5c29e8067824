import {mkdir, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {StewardError} from '../../errors/index.js'
import {driverFamilyTemplate, driverTemplate, entryTemplate, managerTemplate, testTemplate} from './code-templates.js'
import {packageJsonTemplate, readmeTemplate, tsconfigTemplate} from './project-templates.js'
import {scaffoldNames, type ScaffoldNames} from './scaffold-names.js'
import {forLanguage, type ScaffoldLanguage} from './typescript-only.js'

export interface PluginSkeleton {
  name: string
  package: string
  language: ScaffoldLanguage
  /** The plugin's folder, absolute. */
  dir: string
  /** The files written, relative to dir. */
  files: string[]
  manager: string
  drivers: string[]
}

/** The files of a plugin skeleton, by path relative to its folder. */
export function skeletonFiles(names: ScaffoldNames, language: ScaffoldLanguage): Record<string, string> {
  const ext = language
  const code = {
    [`index.${ext}`]: entryTemplate(names),
    [`${names.name}-manager.${ext}`]: managerTemplate(names),
    [`${names.name}-driver.${ext}`]: driverFamilyTemplate(names),
    [`drivers/counter.${ext}`]: driverTemplate(names),
    [`test/${names.name}.test.${ext}`]: testTemplate(names),
  }
  return {
    'package.json': packageJsonTemplate(names, language),
    ...(language === 'ts' ? {'tsconfig.json': tsconfigTemplate()} : {}),
    'README.md': readmeTemplate(names, language),
    ...Object.fromEntries(Object.entries(code).map(([file, template]) => [file, forLanguage(template, language)])),
  }
}

/**
 * Write a working plugin skeleton into `<parent>/<name>`. The folder must not exist: claiming it
 * with a plain mkdir makes that check and the creation one step, and a failure part-way removes
 * what was written.
 */
export async function writePluginSkeleton(options: {name: string; parent: string; language: ScaffoldLanguage}): Promise<PluginSkeleton> {
  const names = scaffoldNames(options.name)
  const dir = path.resolve(options.parent, names.name)
  await mkdir(path.dirname(dir), {recursive: true})
  try {
    await mkdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    throw new StewardError('SCAFFOLD_TARGET_EXISTS', `${dir} already exists; nothing was written.`, {
      data: {dir},
      suggestions: ['Choose another name or --dir, or move the folder away.'],
    })
  }
  const files = skeletonFiles(names, options.language)
  try {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), {recursive: true})
      await writeFile(path.join(dir, file), content)
    }
  } catch (error) {
    await rm(dir, {recursive: true, force: true})
    throw error
  }
  return {name: names.name, package: names.packageName, language: options.language, dir, files: Object.keys(files), manager: names.name, drivers: [names.driver]}
}
