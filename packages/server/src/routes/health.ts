import type { FastifyInstance } from 'fastify';
import type { Logger } from '@tsforge/logging';
import type { OAuth2Store } from '@tsforge/oauth2-server';
import { sendError } from '../plugins/errors.js';

/** Liveness that means something: the process answers and its database does too. */
export function healthRoutes(store: OAuth2Store, logger: Logger) {
  return async function routes(app: FastifyInstance) {
    app.get('/health', async (_request, reply) => {
      try {
        await store.ping();
      } catch (err) {
        logger.error({ err }, 'health check: database did not answer');
        return sendError(reply, 503, 'unavailable', 'database unavailable');
      }
      return reply.header('cache-control', 'no-store').send({ status: 'ok' });
    });
  };
}
