import type {FastifyInstance} from 'fastify'
import type {LogLevel} from '../config/options.js'
import type {Logger} from '../log/logger.js'

/**
 * steward's `request-log` middleware: one line per answered request, with its status, time and
 * request id. At log levels that would show none of these lines, it adds no hook at all, so a
 * request costs nothing. (/healthz probes never reach the pipeline: they are not logged.)
 */
export function addRequestLog(app: FastifyInstance, log: Logger, level: LogLevel): void {
  if (level === 'warn' || level === 'error') return
  app.addHook('onResponse', (request, reply, done) => {
    log.info(`${request.method} ${request.url}`, {status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, requestId: request.id})
    done()
  })
}
