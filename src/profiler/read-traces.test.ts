import {mkdir, mkdtemp, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {groupByTrace, readSpanRecords, summarizeTrace, traceTree} from './read-traces.js'
import type {SpanRecord} from './span-record.js'

function span(spanId: string, parentSpanId: string | undefined, startMs: number, durationMs: number, host: string, extra: Partial<SpanRecord> = {}): SpanRecord {
  return {traceId: 't1', spanId, ...(parentSpanId === undefined ? {} : {parentSpanId}), name: spanId, kind: 'server', service: 'steward', host, startMs, durationMs, status: 'unset', attributes: {}, ...extra}
}

describe('reading traces', () => {
  it('reads the current and rotated files of every host, skipping torn lines', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'steward-traces-'))
    await mkdir(path.join(stateDir, 'traces'))
    const line = (record: SpanRecord): string => `${JSON.stringify(record)}\n`
    await writeFile(path.join(stateDir, 'traces', 'A.jsonl'), line(span('a', undefined, 0, 10, 'A')) + '{"traceId": "t1", "spa')
    await writeFile(path.join(stateDir, 'traces', 'A.jsonl.1'), line(span('old', undefined, -100, 1, 'A')))
    await writeFile(path.join(stateDir, 'traces', 'B.jsonl'), line(span('b', 'a', 2, 5, 'B')))
    await writeFile(path.join(stateDir, 'traces', 'notes.txt'), 'not spans')
    const records = await readSpanRecords(stateDir)
    expect(records.map((record) => record.spanId).sort()).toEqual(['a', 'b', 'old'])
  })

  it('reads nothing, without failing, where no host has written traces', async () => {
    expect(await readSpanRecords(path.join(os.tmpdir(), 'steward-no-such-dir'))).toEqual([])
  })

  it('builds the tree across hosts, children by start, an orphan as a root of its own', () => {
    const spans = [span('c2', 'b', 8, 1, 'B'), span('root', undefined, 0, 20, 'A'), span('b', 'root', 2, 10, 'B'), span('c1', 'b', 3, 1, 'B'), span('orphan', 'gone', 30, 1, 'C')]
    const roots = traceTree(spans)
    expect(roots.map((node) => node.span.spanId)).toEqual(['root', 'orphan'])
    expect(roots[0]!.children[0]!.children.map((node) => node.span.spanId)).toEqual(['c1', 'c2'])
  })

  it('summarizes a trace from its root, over every span and host', () => {
    const spans = [span('b', 'root', 2, 30, 'B', {status: 'error'}), span('root', undefined, 0, 20, 'A', {name: 'scheduler/createShare', service: 'steward-scheduler'})]
    expect(summarizeTrace(spans)).toEqual({traceId: 't1', name: 'scheduler/createShare', service: 'steward-scheduler', host: 'A', startMs: 0, durationMs: 32, spans: 2, hosts: ['A', 'B'], services: ['steward', 'steward-scheduler'], errors: 1})
    expect([...groupByTrace([...spans, {...spans[0]!, traceId: 't2'}]).keys()]).toEqual(['t1', 't2'])
  })
})
