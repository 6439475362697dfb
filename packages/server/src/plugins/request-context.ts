import type { FastifyInstance } from 'fastify';
import { RequestId, type Logger, type RequestContext } from '@tsforge/logging';

/**
 * Gives every request an id (a sane incoming `X-Request-Id`, else a fresh one), runs the rest of
 * its handling inside the logging context so any line written for it carries `request_id`, echoes
 * the id, and writes one access-log line when the response is finished.
 */
export function installRequestContext(app: FastifyInstance, logger: Logger, context: RequestContext): void {
  app.addHook('onRequest', (request, reply, done) => {
    const requestId = RequestId.from(request.headers['x-request-id']);
    request.requestId = requestId;
    request.startedAt = performance.now();
    reply.header('x-request-id', requestId);
    context.run({ request_id: requestId }, done);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? null,
      // The path only: a query string may hold a signed URL's signature.
      path: pathOf(request.url),
      status,
      duration_ms: Math.round((performance.now() - request.startedAt) * 1000) / 1000,
    };
    if (status >= 500) logger.error(line, 'request failed');
    else logger.info(line, 'request completed');
    done();
  });
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

declare module 'fastify' {
  interface FastifyRequest {
    requestId: string;
    startedAt: number;
  }
}
