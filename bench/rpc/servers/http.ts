// node:http server for the undici client: POST /echo with the JSON payload, answered with JSON,
// keep-alive connections.
//
//   node --import tsx bench/rpc/servers/http.ts
import {createServer} from 'node:http'
import {answer, exitWithParent, type Payload, printReady} from '../common.js'

const server = createServer({keepAlive: true, keepAliveTimeout: 60_000}, (request, response) => {
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    const body = JSON.stringify(answer(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Payload, 0))
    response.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)})
    response.end(body)
  })
})
server.keepAliveTimeout = 60_000
server.headersTimeout = 61_000
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
exitWithParent(() => void server.close())
const address = server.address()
if (address === null || typeof address === 'string') throw new Error('no TCP address')
printReady({endpoint: `http://127.0.0.1:${address.port}`})
