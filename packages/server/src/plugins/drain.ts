import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.js';

/**
 * Once shutdown has begun (`close()`), every response says `Connection: close`, so each
 * keep-alive connection ends after the request it is serving. Fastify closes the connections that
 * are idle when shutdown starts; but a request already in flight would leave its connection open
 * and idle, and a load balancer that has stopped routing to this instance never sends on it again:
 * the drain then lasts until the shutdown timeout and ends by cutting connections.
 *
 * A request that arrives after that (on a connection that was busy) is answered 503 here rather
 * than by Fastify's `return503OnClosing`, which writes its own body past every hook: this one has
 * the error shape of every other answer, its request id and access-log line, and the Retry-After
 * every 503 carries.
 */
export function installDrain(app: FastifyInstance): void {
  // Set when `close()` starts (an app that never listened, as under inject(), is not closing).
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (!closing) return done();
    request.refusedAtShutdown = true;
    sendError(reply, 503, 'temporarily_unavailable', 'the server is shutting down; try again later');
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Answered 503 because shutdown had begun: the access log records it at info, as expected. */
    refusedAtShutdown?: true;
  }
}
