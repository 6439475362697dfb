import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { sendError } from './errors.js';

export interface TimeoutOptions {
  /** How long a request may take to arrive whole, headers and body, except streamed uploads. */
  bodyTimeoutMs: number;
}

/**
 * A client that sends its body a byte at a time must not hold a connection and a parser forever
 * (slowloris). Ordinary requests get a deadline for their whole body; streamed uploads, which may
 * rightly take long, are held to a minimum rate instead (`watchUploadRate`).
 */
export function installBodyDeadline(app: FastifyInstance, { bodyTimeoutMs }: TimeoutOptions): void {
  app.addHook('onRequest', (request, reply, done) => {
    // Most requests have no body: nothing to wait for, so no timer.
    if (request.routeOptions.config?.streamsBody || !hasBody(request)) return done();
    const timer = setTimeout(() => {
      if (reply.sent) return;
      reply.header('connection', 'close');
      sendError(reply, 408, 'request_timeout', `the request body did not arrive within ${bodyTimeoutMs} ms`);
      reply.raw.once('finish', () => request.raw.destroy());
    }, bodyTimeoutMs);
    timer.unref();
    request.bodyDeadline = timer;
    reply.raw.once('close', () => clearTimeout(timer));
    done();
  });
  // The body is in: the deadline has done its job.
  app.addHook('preValidation', (request, _reply, done) => {
    clearTimeout(request.bodyDeadline);
    done();
  });
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export class UploadTooSlow extends Error {
  readonly code = 'E_UPLOAD_TOO_SLOW';
}

/**
 * Destroys the upload when fewer than `minBytesPerSecond` arrive over any `windowMs` window
 * (Kestrel's MinRequestBodyDataRate, in spirit). Returns a function that stops watching.
 */
export function watchUploadRate(request: FastifyRequest, minBytesPerSecond: number, windowMs: number): () => void {
  if (minBytesPerSecond === 0) return () => {};
  const raw: IncomingMessage = request.raw;
  const socket = raw.socket;
  let last = socket.bytesRead;
  const timer = setInterval(() => {
    const now = socket.bytesRead;
    if (now - last < (minBytesPerSecond * windowMs) / 1000) {
      request.cutOffStatus = 408;
      raw.destroy(new UploadTooSlow(`the upload sent less than ${minBytesPerSecond} bytes/s over ${windowMs / 1000} s`));
    }
    last = now;
  }, windowMs);
  timer.unref();
  return () => clearInterval(timer);
}

declare module 'fastify' {
  interface FastifyRequest {
    bodyDeadline?: NodeJS.Timeout;
  }
  interface FastifyContextConfig {
    /** The route reads its body as a stream (uploads): no whole-body deadline, a minimum rate instead. */
    streamsBody?: boolean;
  }
}
