import type { FastifyInstance } from 'fastify';
import { LogConfigError, type Logger, type Logging } from '@tsforge/logging';
import { sendError } from '../plugins/errors.js';
import { credentialGuard } from '../plugins/credential-guard.js';

export interface AdminOptions {
  logging: Logging;
  /** The `admin` module logger: every change is written here at warn. */
  logger: Logger;
  /** `ADMIN_TOKEN`: the bearer token an operator presents. */
  token: string;
}

/**
 * Operator endpoints, registered only when `ADMIN_TOKEN` is set:
 * - `GET /admin/log-level` → `{"level":"info,storage=debug"}`
 * - `PUT /admin/log-level` with `{"level":"debug"}` or `{"level":"info,storage=trace"}` changes
 *   the level of every logger at once, existing module loggers included, until the next change
 *   or restart. Same syntax as `LOG_LEVEL`.
 * Both need `Authorization: Bearer <ADMIN_TOKEN>` (RFC 6750 §2.1): without it a 401 with
 * `WWW-Authenticate: Bearer realm="tsforge-admin"`, with a wrong one the same plus
 * `error="invalid_token"` (§3.1), with two Authorization headers a 400. The token is compared
 * as SHA-256 digests with `timingSafeEqual`, so neither its content nor its length leaks.
 */
export function adminRoutes({ logging, logger, token }: AdminOptions) {
  const guard = credentialGuard({ scheme: 'bearer', token }, { realm: 'tsforge-admin', description: 'a valid admin bearer token is required' });

  return async function routes(app: FastifyInstance) {
    // Before the body is read: an anonymous caller gets its 401 without the server parsing anything.
    app.addHook('onRequest', async (request, reply) => {
      const outcome = guard.check(request);
      if (outcome !== 'allowed') return guard.refuse(reply, outcome);
    });

    app.get('/admin/log-level', async (_request, reply) => {
      return reply.header('cache-control', 'no-store').send({ level: logging.levels.toString() });
    });

    app.put('/admin/log-level', async (request, reply) => {
      const level = (request.body as { level?: unknown } | undefined)?.level;
      if (typeof level !== 'string') return sendError(reply, 400, 'invalid_request', 'the body must be JSON {"level": "<LOG_LEVEL syntax>"}');
      const before = logging.levels.toString();
      try {
        logging.setLevel(level);
      } catch (err) {
        if (err instanceof LogConfigError) return sendError(reply, 400, 'invalid_request', err.message);
        throw err;
      }
      const after = logging.levels.toString();
      logger.warn({ from: before, to: after, via: 'admin' }, 'log level changed');
      return reply.header('cache-control', 'no-store').send({ level: after });
    });
  };
}
