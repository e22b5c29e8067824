import {readFile, mkdtemp} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {SpanStatusCode} from '@opentelemetry/api'
import {ExportResultCode} from '@opentelemetry/core'
import {InMemorySpanExporter, SimpleSpanProcessor} from '@opentelemetry/sdk-trace-base'
import {describe, expect, it} from 'vitest'
import {createContext} from '../rpc/context.js'
import {OtelTracing} from './otel-tracing.js'
import {SpanFileExporter} from './span-file-exporter.js'
import type {SpanRecord} from './span-record.js'

describe('SpanFileExporter', () => {
  it('writes each span as a JSON line of its record, parent and error included', async () => {
    const memory = new InMemorySpanExporter()
    const tracing = new OtelTracing('A', [new SimpleSpanProcessor(memory)])
    const share = {binary: 'steward-share', topic: 'share', host: 'B@fast'}
    await tracing
      .send('call', 'share', 'resize', 'B@fast', createContext('A'), (ctx) => tracing.serve(share, 'resize', false, ctx, () => Promise.reject(Object.assign(new Error('too "big"'), {code: 'SHARE_TOO_BIG'}))))
      .catch(() => undefined)
    const spans = memory.getFinishedSpans()
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'steward-spans-')), 'traces', 'A.jsonl')
    const exporter = new SpanFileExporter({file, maxSize: 1 << 20, maxFiles: 1})
    const result = await new Promise<{code: ExportResultCode}>((resolve) => exporter.export(spans, resolve))
    await exporter.shutdown()
    expect(result.code).toBe(ExportResultCode.SUCCESS)
    const [server, client] = (await readFile(file, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as SpanRecord)
    expect(server).toEqual({
      traceId: spans[0]!.spanContext().traceId,
      spanId: spans[0]!.spanContext().spanId,
      parentSpanId: client!.spanId,
      name: 'share/resize',
      kind: 'server',
      service: 'steward-share',
      host: 'B@fast',
      startMs: expect.any(Number),
      durationMs: expect.any(Number),
      status: 'error',
      error: 'SHARE_TOO_BIG: too "big"',
      attributes: expect.objectContaining({'rpc.method': 'resize', 'error.type': 'SHARE_TOO_BIG'}),
    })
    expect(client).toMatchObject({kind: 'client', service: 'steward', host: 'A', status: 'error'})
    expect(client!.parentSpanId).toBeUndefined()
    expect(spans[1]!.status.code).toBe(SpanStatusCode.ERROR)
  })
})
