import {createServer, type IncomingMessage} from 'node:http'
import type {AddressInfo} from 'node:net'
import {gunzipSync} from 'node:zlib'

/** A span as an OTLP/HTTP JSON export carries it, with its resource's attributes flattened in. */
export interface ReceivedSpan {
  traceId: string
  spanId: string
  parentSpanId: string
  name: string
  kind: number
  status: {code?: number; message?: string}
  attributes: Record<string, unknown>
  resource: Record<string, unknown>
}

interface KeyValue {
  key: string
  value: Record<string, unknown>
}

interface ExportRequest {
  resourceSpans?: Array<{resource?: {attributes?: KeyValue[]}; scopeSpans?: Array<{spans?: Array<Omit<ReceivedSpan, 'attributes' | 'resource'> & {attributes?: KeyValue[]}>}>}>
}

/**
 * A real OTLP/HTTP receiver (a collector's traces endpoint) on a free loopback port: it accepts
 * JSON exports at POST /v1/traces, answers 200 as a collector does, and keeps what it got.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = []
  readonly requests: Array<{path: string; contentType: string | undefined}> = []
  private readonly server = createServer((request, response) => {
    void readBody(request).then((body) => {
      this.requests.push({path: request.url ?? '', contentType: request.headers['content-type']})
      if (request.method === 'POST' && request.url === '/v1/traces') this.take(JSON.parse(body.toString('utf8')) as ExportRequest)
      response.writeHead(200, {'content-type': 'application/json'}).end('{}')
    })
  })

  /** The base endpoint to configure (`profiler_otlp_endpoint`). */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
  }

  private take(request: ExportRequest): void {
    for (const resourceSpans of request.resourceSpans ?? []) {
      const resource = attributesOf(resourceSpans.resource?.attributes)
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) this.spans.push({...span, parentSpanId: span.parentSpanId ?? '', attributes: attributesOf(span.attributes), resource})
      }
    }
  }
}

function attributesOf(list: KeyValue[] = []): Record<string, unknown> {
  return Object.fromEntries(list.map(({key, value}) => [key, Object.values(value)[0]]))
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks)
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body
}
