import type { FastifyInstance } from 'fastify';
import type { Logger } from '@tsforge/logging';

/** Routes whose exchanges move files: the upload/download API and the signed-URL routes. */
const STORAGE_ROUTE = /^\/(api\/)?files(\/|$)/;

/**
 * One debug line per finished file exchange on the `storage` module logger: operation, key,
 * bytes moved and duration, for an operator who sets `LOG_LEVEL=info,storage=debug`. Nothing is
 * computed unless the storage logger is at debug. The query string (a signed URL's signature)
 * is never written.
 */
export function installStorageDebugLog(app: FastifyInstance, logger: Logger): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (route !== undefined && logger.isLevelEnabled('debug') && STORAGE_ROUTE.test(route)) {
      const key = (request.params as Record<string, string | undefined> | undefined)?.['*'];
      const upload = request.method === 'PUT' || request.method === 'POST';
      const length = upload ? request.headers['content-length'] : reply.getHeader('content-length');
      logger.debug({
        op: request.method,
        route,
        key: key ?? null,
        bytes: length === undefined ? null : Number(length),
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
      }, upload ? 'storage write' : 'storage access');
    }
    done();
  });
}
