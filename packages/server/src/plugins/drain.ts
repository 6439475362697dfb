import type { FastifyInstance } from 'fastify';

/**
 * Once the listener has closed (shutdown), every response says `Connection: close`, so each
 * keep-alive connection ends after the request it is serving. Fastify closes the connections that
 * are idle when shutdown starts and answers requests that arrive later with 503 + close; but a
 * request already in flight would leave its connection open and idle, and a load balancer that has
 * stopped routing to this instance never sends on it again: the drain then lasts until the
 * shutdown timeout and ends by cutting connections.
 */
export function installDrain(app: FastifyInstance): void {
  const server = app.server;
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (!server.listening) reply.header('connection', 'close');
    done(null, payload);
  });
}
