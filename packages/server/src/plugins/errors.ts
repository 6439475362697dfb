import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@tsforge/logging';
import { StorageError, type StorageErrorCode } from '@tsforge/storage';
import type { AllowedMethods } from './method-not-allowed.js';

/** The JSON error body every tsforge endpoint answers with. */
export interface ErrorBody {
  error: string;
  error_description: string;
}

export function sendError(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send({ error, error_description: description } satisfies ErrorBody);
}

/** The `error` value of each StorageError code; every code has one (5xx ones never reach a client). */
export const STORAGE_ERRORS: Readonly<Record<StorageErrorCode, string>> = {
  E_NOT_FOUND: 'not_found',
  E_INVALID_KEY: 'invalid_key',
  E_PATH_TRAVERSAL: 'invalid_key',
  E_TOO_LARGE: 'payload_too_large',
  E_EXPIRY_OUT_OF_RANGE: 'invalid_request',
  E_SIGNATURE_INVALID: 'invalid_signature',
  E_SIGNATURE_EXPIRED: 'expired_signature',
  E_RANGE_NOT_SATISFIABLE: 'range_not_satisfiable',
  E_PRECONDITION_FAILED: 'precondition_failed',
  E_CONFLICT: 'conflict',
  E_UNAVAILABLE: 'temporarily_unavailable',
  E_MISCONFIGURED: 'server_error',
  E_IO: 'server_error',
};

/**
 * A client's mistake gets its 4xx and a clear message; anything else is a 500 that says nothing
 * about the inside, while the whole error goes to the log.
 */
export interface ErrorHandlingOptions {
  /** Paths and their methods, for 405 and its Allow header. */
  allowed?: AllowedMethods;
  /**
   * True when `err` means the database cannot be reached (then counted and logged once per
   * outage by the caller): the client gets 503, which it may retry, not a 500.
   */
  databaseUnreachable?: (err: unknown) => boolean;
}

export function installErrorHandling(app: FastifyInstance, logger: Logger, { allowed, databaseUnreachable }: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof StorageError) {
      if (err.status < 500) return sendError(reply, err.status, STORAGE_ERRORS[err.code], err.message);
      if (err.code === 'E_UNAVAILABLE' && !reply.raw.headersSent) {
        // The cause (refused, timed out, 503 from the store) is for the operator; the client
        // learns only that it may try again (installRetryAfter says when, as on every 503).
        logger.warn({ err, method: request.method, route: request.routeOptions.url }, 'storage unavailable');
        return sendError(reply, 503, STORAGE_ERRORS[err.code], 'the storage service is temporarily unavailable; try again later');
      }
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, status, clientErrorCode(status, err), clientMessage(err));
    }
    if (clientWentAway(request, reply)) {
      // The client hung up, or was cut off for sending too slowly: its doing, not a server
      // error, and no one is left to answer. The access log records it (499 or 408).
      logger.debug({ err: { message: err.message } }, 'request abandoned by the client');
      reply.hijack();
      reply.raw.destroy();
      return reply;
    }
    // A file store's failure (a full disk: E_IO caused by ENOSPC) is not the database's, whatever its cause's code.
    if (!reply.raw.headersSent && !(err instanceof StorageError) && databaseUnreachable?.(err)) {
      return sendError(reply, 503, 'temporarily_unavailable', 'the server is temporarily unavailable; try again later');
    }
    logger.error({ err, method: request.method, route: request.routeOptions.url }, 'unhandled error');
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return reply;
    }
    return sendError(reply, 500, 'server_error', 'internal server error');
  });

  app.setNotFoundHandler((request, reply) => {
    const path = pathOnly(request.url);
    // RFC 9110 §15.5.6: a known path asked with a method it does not answer is a 405, and
    // "The origin server MUST generate an Allow header field" listing the ones it does.
    const methods = allowed?.of(path);
    if (methods) {
      reply.header('allow', methods.join(', '));
      return sendError(reply, 405, 'method_not_allowed', `${request.method} is not allowed on ${path}; use ${methods.join(', ')}`);
    }
    return sendError(reply, 404, 'not_found', `no route for ${request.method} ${path}`);
  });
}

function clientWentAway(request: FastifyRequest, reply: FastifyReply): boolean {
  return request.raw.readableAborted || reply.raw.destroyed;
}

function clientErrorCode(status: number, err: FastifyError): string {
  if (status === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 404) return 'not_found';
  if (status === 405) return 'method_not_allowed';
  return 'invalid_request';
}

function clientMessage(err: FastifyError): string {
  // Fastify's own client-error messages are written for clients; anything else is kept generic.
  const exposed = (err as { expose?: boolean }).expose === true;
  return exposed || err.code?.startsWith('FST_') || err.validation ? err.message : 'bad request';
}

function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return (q === -1 ? url : url.slice(0, q)).slice(0, 200);
}
