// The baseline of the API benchmark: a bare node:http server answering what steward's API answers,
// /healthz and /v1/services, with the same JSON: the constant health answer made once (as steward
// makes it), the listing serialized per request (as steward does).
//
//   node --import tsx bench/api/bare-server.ts --host-name NAME --services-file FILE
//
// Listens on 127.0.0.1 on a free port, prints the ready line with its URL, exits when stdin ends.
import {readFileSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {parseArgs} from 'node:util'
import {printReady} from '../rpc/common.js'

const {values} = parseArgs({options: {'host-name': {type: 'string', default: 'bench-api'}, 'services-file': {type: 'string'}}})
const health = JSON.stringify({status: 'ok', host: values['host-name']})
const services: unknown = values['services-file'] === undefined ? {services: []} : JSON.parse(readFileSync(values['services-file'], 'utf8'))
const json = {'content-type': 'application/json; charset=utf-8'}
const healthHeaders = {...json, 'content-length': Buffer.byteLength(health)}

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/healthz') {
    response.writeHead(200, healthHeaders).end(health)
  } else if (request.method === 'GET' && request.url === '/v1/services') {
    response.writeHead(200, json).end(JSON.stringify(services))
  } else {
    response.writeHead(404, json).end('{"code":"API_NOT_FOUND","message":"No route."}')
  }
})
server.listen(0, '127.0.0.1', () => printReady({endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`}))
process.stdin.resume()
process.stdin.on('end', () => server.close(() => process.exit(0)))
