import type { FastifyInstance } from 'fastify';

/** What a 503 tells clients to wait, unless its route said otherwise: long enough to not hammer, short next to an outage's cost. */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

/**
 * RFC 9110 §10.2.3: a server "MAY send this header field with a 503 (Service Unavailable)
 * response" to say how long the client should wait. Every 503 (a database or file store that
 * cannot answer) carries one, so clients and proxies back off instead of retrying at once.
 * `/ready` is left alone: it is read by a balancer, which probes on its own schedule.
 */
export function installRetryAfter(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after') && request.routeOptions.url !== '/ready') {
      reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S));
    }
    done(null, payload);
  });
}
