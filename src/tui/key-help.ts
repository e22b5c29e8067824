/** The keys, as the help bar and the full help (`?`) list them. */
import type {View} from './views.js'

export interface KeyHelp {
  keys: string
  does: string
  /** Views where the key works; all when absent. */
  views?: readonly View[]
  /** The word for it in the one-line help bar; absent keys are only in the full help. */
  bar?: string
}

const SERVICE_VIEWS: readonly View[] = ['services', 'detail']

export const KEY_HELP: readonly KeyHelp[] = [
  {keys: 'q', does: 'quit (Ctrl-C too)', bar: 'quit'},
  {keys: '?', does: 'full help', bar: 'help'},
  {keys: 'tab', does: 'next view (shift-tab: previous; 1-4: a view)', bar: 'view'},
  {keys: 'j/k ↓/↑', does: 'move (g/G: first/last, PgUp/PgDn: a page)', bar: 'move'},
  {keys: 'enter', does: 'detail of the service (esc: back)', views: ['services']},
  {keys: '/', does: 'filter services (enter keeps, esc clears)', views: ['services'], bar: 'filter'},
  {keys: 's/S', does: 'sort by the next column / reverse', views: ['services'], bar: 'sort'},
  {keys: 'e', does: 'enable the service', views: SERVICE_VIEWS, bar: 'enable'},
  {keys: 'd', does: 'disable the service, with a reason', views: SERVICE_VIEWS, bar: 'disable'},
  {keys: 'r', does: 'reload the service\'s plugin', views: SERVICE_VIEWS, bar: 'reload'},
  {keys: 'R', does: 'restart the service\'s generation', views: SERVICE_VIEWS, bar: 'restart'},
  {keys: 'c', does: 'call an RPC method with JSON arguments', views: SERVICE_VIEWS, bar: 'call'},
  {keys: 'a', does: 'logs of all hosts / of the selected service', views: ['logs'], bar: 'scope'},
  {keys: 'l', does: 'next log level (debug, info, warn, error)', views: ['logs'], bar: 'level'},
  {keys: 'g/G', does: 'oldest / newest line (G follows the tail)', views: ['logs']},
]

export function keysFor(view: View): KeyHelp[] {
  return KEY_HELP.filter((key) => key.views === undefined || key.views.includes(view))
}
