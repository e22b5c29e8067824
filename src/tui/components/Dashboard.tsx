import {Box, useApp, type Key} from 'ink'
import {useMemo, useRef, useState} from 'react'
import type {LogLevel} from '../../config/options.js'
import type {MonitoredService} from '../../monitor/telemetry.js'
import type {ServiceSummary} from '../../service/host-topic.js'
import {hostProcessOf} from '../../service/service-state.js'
import {describeFailure, formatMs} from '../format.js'
import {useTerminalSize, type TerminalSize} from '../hooks/use-terminal-size.js'
import {useKeys} from '../hooks/use-keys.js'
import {useSyncedState} from '../hooks/use-synced-state.js'
import {useThrottledModel} from '../hooks/use-throttled-model.js'
import {confirmAnswer, editLine} from '../line-editor.js'
import {filterLogs, nextLogLevel, type LogScope} from '../log-filter.js'
import type {Actions, MonitorSource} from '../monitor-source.js'
import {hasServiceKey, SERVICE_COLUMNS, serviceKey, serviceLines, type ServiceSort} from '../service-table.js'
import {fitColumns} from '../table-columns.js'
import {VIEWS, type View} from '../views.js'
import {ConfirmPrompt} from './ConfirmPrompt.js'
import {Header} from './Header.js'
import {HelpBar} from './HelpBar.js'
import {HelpScreen} from './HelpScreen.js'
import {HostsTable} from './HostsTable.js'
import {LogsView} from './LogsView.js'
import {ResultPanel} from './ResultPanel.js'
import {ServiceDetail} from './ServiceDetail.js'
import {ServicesTable} from './ServicesTable.js'
import {StatusLine, type Status} from './StatusLine.js'
import {TextPrompt} from './TextPrompt.js'

export interface Props {
  source: MonitorSource
  actions: Actions
  /** A fixed size instead of the terminal's (tests). */
  size?: TerminalSize
  /** At most one repaint for model changes per this many ms. @default 100 */
  paintIntervalMs?: number
  /** Called when the user quits, before the app exits. */
  onExit?: () => void
  /** A line for the status bar until the first action's (`steward start`: where its API listens). */
  notice?: string
}

type Mode =
  | {kind: 'normal'}
  | {kind: 'help'}
  | {kind: 'filter'}
  | {kind: 'reason'; service: MonitoredService; draft: string; error?: undefined}
  | {kind: 'confirm'; question: string; pending: string; work: () => Promise<Status>}
  | {kind: 'method'; service: MonitoredService; draft: string; error: string | undefined}
  | {kind: 'args'; service: MonitoredService; method: string; draft: string; error: string | undefined}
  | {kind: 'result'; title: string; text: string; failed: boolean}

/** Lines outside the body: header, status or prompt, help bar; and one spare so the root never fills the terminal. */
const CHROME_LINES = 4

/** The monitor: views of the live model, keys to move and act, prompts to confirm. */
interface UiState {
  view: View
  mode: Mode
  filter: string
  sort: ServiceSort
  /** serviceKey of the selected service; undefined before a move (the first row is selected). */
  selectedKey: string | undefined
  hostIndex: number
  logScrollBack: number
  logScope: LogScope
  logLevel: LogLevel
}

const INITIAL: UiState = {view: 'services', mode: {kind: 'normal'}, filter: '', sort: {column: 'binary', descending: false}, selectedKey: undefined, hostIndex: 0, logScrollBack: 0, logScope: 'all', logLevel: 'debug'}

/** The monitor: views of the live model, keys to move and act, prompts to confirm. */
export function Dashboard({source, actions, size: fixedSize, paintIntervalMs, onExit, notice}: Props) {
  const [ui, setUi, latestUi] = useSyncedState(INITIAL)
  // A model that brings only log lines keeps the hosts and services of the one on screen (the
  // monitor client does so within a second): outside the logs view it changes nothing there.
  const model = useThrottledModel(
    source,
    paintIntervalMs,
    (shown, next) => latestUi().view === 'logs' || next.at !== shown.at || next.hosts !== shown.hosts || next.services !== shown.services,
  )
  const size = useTerminalSize(fixedSize)
  const {exit} = useApp()
  const [status, setStatus] = useState<Status | undefined>(notice === undefined ? undefined : {text: notice, tone: 'muted'})
  const update = (patch: Partial<UiState> | ((state: UiState) => Partial<UiState>)) => setUi((state) => ({...state, ...(typeof patch === 'function' ? patch(state) : patch)}))
  const setMode = (mode: Mode) => update({mode})

  const width = Math.max(20, size.columns)
  const bodyHeight = Math.max(1, size.rows - CHROME_LINES)
  const {view, mode, filter, sort, logScope, logLevel} = ui
  const lines = useMemo(() => serviceLines(model.services, model.hosts, filter, sort), [model, filter, sort])
  const rows = useMemo(() => {
    const services: MonitoredService[] = []
    for (const line of lines) if (line.kind === 'service') services.push(line.service)
    return services
  }, [lines])
  // The selection follows its service through re-sorts and updates; when it goes, its place stays.
  const lastIndex = useRef(0)
  const selectedIndexOf = (key: string | undefined) => {
    const found = rows.findIndex((service) => hasServiceKey(service, key))
    return found !== -1 ? found : Math.min(lastIndex.current, rows.length - 1)
  }
  const selectedIndex = selectedIndexOf(ui.selectedKey)
  lastIndex.current = Math.max(0, selectedIndex)
  const selected = selectedIndex >= 0 ? rows[selectedIndex] : undefined
  const hostCursor = Math.min(ui.hostIndex, Math.max(0, model.hosts.length - 1))
  // Filtered for the logs view only: every paint elsewhere would filter the 1,000 lines for nothing.
  const filterShownLogs = () => filterLogs(model.logs, logLevel, logScope === 'selection' ? selected : undefined)
  const shownLogs = useMemo(() => (view === 'logs' ? filterShownLogs() : undefined), [view, model.logs, logLevel, logScope, selected])
  const logs = () => shownLogs ?? filterShownLogs()

  const quit = () => {
    onExit?.()
    exit()
  }

  const run = (pending: string, work: () => Promise<Status>) => {
    setStatus({text: pending, tone: 'warn'})
    work().then(setStatus, (error: unknown) => setStatus({text: describeFailure(error), tone: 'bad'}))
  }

  const confirm = (question: string, pending: string, work: () => Promise<Status>) => setMode({kind: 'confirm', question, pending, work})

  const move = (state: UiState, input: string, key: Key): boolean => {
    const page = Math.max(1, bodyHeight - 1)
    const delta = key.downArrow || input === 'j' ? 1 : key.upArrow || input === 'k' ? -1 : key.pageDown ? page : key.pageUp ? -page : 0
    const edge = input === 'g' ? 'first' : input === 'G' ? 'last' : undefined
    if (delta === 0 && edge === undefined) return false
    const clamp = (index: number, length: number) => Math.max(0, Math.min(length - 1, index))
    if (state.view === 'hosts') {
      const hosts = model.hosts.length
      update((current) => ({hostIndex: edge === 'first' ? 0 : edge === 'last' ? hosts - 1 : clamp(Math.min(current.hostIndex, hosts - 1) + delta, hosts)}))
    } else if (state.view === 'logs') {
      // Up scrolls back in time; G goes back to following the tail.
      const logCount = logs().length
      update((current) => ({logScrollBack: edge === 'first' ? logCount : edge === 'last' ? 0 : Math.max(0, Math.min(logCount, current.logScrollBack - delta))}))
    } else {
      const from = Math.max(0, selectedIndexOf(state.selectedKey))
      const next = rows[clamp(edge === 'first' ? 0 : edge === 'last' ? rows.length - 1 : from + delta, rows.length)]
      if (next !== undefined) update({selectedKey: serviceKey(next)})
    }
    return true
  }

  const act = (state: UiState, input: string): boolean => {
    if (input.length !== 1 || !'edrRc'.includes(input)) return false
    if (state.view !== 'services' && state.view !== 'detail') return false
    const service = rows[selectedIndexOf(state.selectedKey)]
    if (service === undefined) {
      setStatus({text: 'No service selected.', tone: 'warn'})
      return true
    }
    const host = hostProcessOf(service.host)
    const name = `${service.binary} on ${service.host}`
    if (input === 'e') {
      confirm(`Enable ${name}?`, `Enabling ${name}…`, async () => {
        await actions.enable(service.host, service.binary)
        return {text: `Enabled ${name}.`, tone: 'good'}
      })
    } else if (input === 'd') {
      setMode({kind: 'reason', service, draft: ''})
    } else if (input === 'r') {
      confirm(`Reload the plugin code of ${name}?`, `Reloading ${name}…`, async () => describeReload('Reloaded', await actions.reload(host, service.topic)))
    } else if (input === 'R') {
      confirm(`Restart the generation of ${name}?`, `Restarting ${name}…`, async () => describeReload('Restarted', await actions.restart(host, service.topic)))
    } else {
      setMode({kind: 'method', service, draft: '', error: undefined})
    }
    return true
  }

  /** Keys while a prompt is open: the prompt's line editing, then what submitting it does. */
  const promptKey = (state: UiState, input: string, key: Key): void => {
    const mode = state.mode
    if (mode.kind === 'confirm') {
      const yes = confirmAnswer(input, key)
      if (yes === undefined) return
      setMode({kind: 'normal'})
      if (yes) run(mode.pending, mode.work)
      else setStatus({text: 'Cancelled.', tone: 'muted'})
      return
    }
    if (mode.kind !== 'filter' && mode.kind !== 'reason' && mode.kind !== 'method' && mode.kind !== 'args') return
    const edit = editLine(mode.kind === 'filter' ? state.filter : mode.draft, input, key)
    if (edit === undefined) return
    if (edit.kind === 'cancel') {
      update(mode.kind === 'filter' ? {filter: '', mode: {kind: 'normal'}} : {mode: {kind: 'normal'}})
    } else if (edit.kind === 'edit') {
      update(mode.kind === 'filter' ? {filter: edit.value} : {mode: {...mode, draft: edit.value, error: undefined}})
    } else if (mode.kind === 'filter') {
      setMode({kind: 'normal'})
    } else if (mode.kind === 'reason') {
      const {service} = mode
      const reason = mode.draft.trim()
      const name = `${service.binary} on ${service.host}`
      confirm(`Disable ${name}${reason === '' ? '' : ` (${reason})`}?`, `Disabling ${name}…`, async () => {
        await actions.disable(service.host, service.binary, reason)
        return {text: `Disabled ${name}.`, tone: 'good'}
      })
    } else if (mode.kind === 'method') {
      const method = mode.draft.trim()
      if (method === '') setMode({...mode, error: 'name a method'})
      else setMode({kind: 'args', service: mode.service, method, draft: '{}', error: undefined})
    } else {
      const parsed = parseArgs(mode.draft)
      if (typeof parsed === 'string') setMode({...mode, error: parsed})
      else callMethod(mode.service, mode.method, parsed)
    }
  }

  const callMethod = (service: MonitoredService, method: string, args: Record<string, unknown>) => {
    const title = `${service.topic}.${service.host} ${method}`
    setMode({kind: 'normal'})
    setStatus({text: `Calling ${title}…`, tone: 'warn'})
    actions.call(service.topic, service.host, method, args).then(
      (result) => {
        setStatus({text: `${title} answered.`, tone: 'good'})
        setMode({kind: 'result', title, text: JSON.stringify(result, null, 2) ?? 'undefined', failed: false})
      },
      (error: unknown) => {
        setStatus({text: `${title} failed.`, tone: 'bad'})
        setMode({kind: 'result', title, text: describeFailure(error), failed: true})
      },
    )
  }

  useKeys((input, key) => {
    const state = latestUi()
    if (key.ctrl && input === 'c') return quit()
    if (state.mode.kind === 'help') {
      if (input === '?' || input === 'q' || key.escape) setMode({kind: 'normal'})
      return undefined
    }
    if (state.mode.kind === 'result') {
      if (input === 'q' || key.escape || key.return) setMode({kind: 'normal'})
      return undefined
    }
    if (state.mode.kind !== 'normal') return promptKey(state, input, key)
    if (input === 'q') return quit()
    if (input === '?') return setMode({kind: 'help'})
    if (key.tab) return update((current) => ({view: VIEWS[(VIEWS.indexOf(current.view) + (key.shift ? VIEWS.length - 1 : 1)) % VIEWS.length] ?? 'services'}))
    const numbered = VIEWS[Number(input) - 1]
    if (/^[1-4]$/.test(input) && numbered !== undefined) return update({view: numbered})
    if (move(state, input, key) || act(state, input)) return undefined
    if (state.view === 'services') {
      if (input === '/') return setMode({kind: 'filter'})
      if (key.return && rows.length > 0) return update({view: 'detail'})
      if (key.escape && state.filter !== '') return update({filter: ''})
      if (input === 's' || input === 'S') {
        const ids = fitColumns(SERVICE_COLUMNS, width - 2).map(({column}) => column.id)
        return update((current) => ({sort: input === 'S' ? {...current.sort, descending: !current.sort.descending} : {column: ids[(ids.indexOf(current.sort.column) + 1) % ids.length] ?? 'binary', descending: false}}))
      }
    }
    if (state.view === 'detail' && key.escape) return update({view: 'services'})
    if (state.view === 'logs') {
      if (input === 'a') return update((current) => ({logScope: current.logScope === 'all' ? 'selection' : 'all'}))
      if (input === 'l') return update((current) => ({logLevel: nextLogLevel(current.logLevel)}))
    }
    return undefined
  })

  const bottom = (() => {
    switch (mode.kind) {
      case 'filter':
        return <TextPrompt label="Filter:" value={filter} width={width} />
      case 'reason':
        return <TextPrompt label={`Disable ${mode.service.binary} on ${mode.service.host}; reason (enter; esc cancels):`} value={mode.draft} width={width} />
      case 'confirm':
        return <ConfirmPrompt question={mode.question} width={width} />
      case 'method':
        return <TextPrompt label={`Call ${mode.service.topic}.${mode.service.host}; method:`} value={mode.draft} error={mode.error} width={width} />
      case 'args':
        return <TextPrompt label={`${mode.method} arguments (JSON object):`} value={mode.draft} error={mode.error} width={width} />
      default:
        return <StatusLine status={status} width={width} />
    }
  })()

  const body = (() => {
    if (mode.kind === 'help') return <HelpScreen width={width} height={bodyHeight} />
    if (mode.kind === 'result') return <ResultPanel title={mode.title} text={mode.text} failed={mode.failed} width={width} height={bodyHeight} />
    switch (view) {
      case 'services':
        return <ServicesTable lines={lines} selectedKey={selected === undefined ? undefined : serviceKey(selected)} sort={sort} filter={filter} width={width} height={bodyHeight} />
      case 'detail':
        return <ServiceDetail service={selected} width={width} height={bodyHeight} />
      case 'hosts':
        return <HostsTable hosts={model.hosts} selected={hostCursor} width={width} height={bodyHeight} />
      case 'logs':
        return <LogsView lines={logs()} scrollBack={ui.logScrollBack} level={logLevel} scope={logScope === 'all' || selected === undefined ? 'all hosts' : `${selected.binary} on ${selected.host}`} width={width} height={bodyHeight} />
    }
  })()

  // Clipped vertically only: every line is cut to the width already, and Ink's horizontal clip
  // re-measured and re-sliced every line of every paint (string-width and slice-ansi).
  return (
    <Box flexDirection="column" width={width} height={size.rows - 1} overflowY="hidden">
      <Header view={view} hosts={model.hosts.length} services={model.services.length} at={model.at} width={width} />
      <Box flexDirection="column" height={bodyHeight} overflowY="hidden">
        {body}
      </Box>
      {bottom}
      <HelpBar view={view} width={width} />
    </Box>
  )
}

/** The arguments typed for a call: a JSON object, or why not. */
export function parseArgs(text: string): Record<string, unknown> | string {
  if (text.trim() === '') return {}
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>
    return 'arguments must be a JSON object, such as {"id": 1}'
  } catch (error) {
    return `not JSON: ${(error as Error).message}`
  }
}

function describeReload(verb: string, summary: ServiceSummary): Status {
  const generation = summary.generation
  const reload = generation?.lastReload
  if (generation === null || reload === undefined) return {text: `${verb} ${summary.binary} on ${summary.host}.`, tone: 'good'}
  if (!reload.ok) return {text: `${verb === 'Reloaded' ? 'Reload' : 'Restart'} of ${summary.binary} failed: ${reload.error ?? 'unknown error'}; generation ${generation.generation} keeps serving.`, tone: 'bad'}
  return {text: `${verb} ${summary.binary} on ${summary.host}: generation ${generation.generation} serves (${formatMs(reload.durationMs)}).`, tone: 'good'}
}
