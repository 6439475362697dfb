import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '@tsforge/logging';

/**
 * Marks a request as one whose route handler is about to call the disk. Only such requests get a
 * storage debug line: one refused before (a bad token, a bad signature, a bad query) never
 * touched storage, and a line saying it did would send an operator looking in the wrong place.
 */
export function reachedStorage(request: FastifyRequest): void {
  request.storageReached = true;
}

/**
 * One debug line per finished file exchange on the `storage` module logger: operation, key,
 * bytes moved and duration, for an operator who sets `LOG_LEVEL=info,storage=debug`. Nothing is
 * computed unless the storage logger is at debug. The query string (a signed URL's signature)
 * is never written.
 */
export function installStorageDebugLog(app: FastifyInstance, logger: Logger): void {
  app.decorateRequest('storageReached', false);
  app.addHook('onResponse', (request, reply, done) => {
    if (request.storageReached && logger.isLevelEnabled('debug')) {
      const key = (request.params as Record<string, string | undefined> | undefined)?.['*'];
      const upload = request.method === 'PUT' || request.method === 'POST';
      const length = upload ? request.headers['content-length'] : reply.getHeader('content-length');
      logger.debug({
        op: request.method,
        route: request.routeOptions.url ?? null,
        key: key ?? null,
        bytes: length === undefined ? null : Number(length),
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
      }, upload ? 'storage write' : 'storage access');
    }
    done();
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `reachedStorage` just before a route handler calls the disk. */
    storageReached: boolean;
  }
}
