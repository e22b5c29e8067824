import type {FastifyInstance} from 'fastify'
import type {Logger} from '../log/logger.js'

/**
 * steward's `request-log` middleware: one line per answered request, with its request id, status
 * and time. Health probes come every few seconds from supervisors; they are logged at debug.
 */
export function addRequestLog(app: FastifyInstance, log: Logger): void {
  app.addHook('onResponse', (request, reply, done) => {
    const fields = {status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, requestId: request.id}
    const line = `${request.method} ${request.url}`
    if (request.routeOptions.config.public === true) log.debug(line, fields)
    else log.info(line, fields)
    done()
  })
}
