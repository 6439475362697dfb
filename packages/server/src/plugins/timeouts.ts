import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
 * Cuts off the upload when fewer than `minBytesPerSecond` arrive over any `windowMs` window
 * (Kestrel's MinRequestBodyDataRate, in spirit). Returns a function that stops watching.
 */
export function watchUploadRate(reply: FastifyReply, minBytesPerSecond: number, windowMs: number): () => void {
  if (minBytesPerSecond === 0) return () => {};
  const socket = reply.request.raw.socket;
  let last = socket.bytesRead;
  const timer = setInterval(() => {
    const now = socket.bytesRead;
    if (now - last < (minBytesPerSecond * windowMs) / 1000) {
      clearInterval(timer);
      cutOff(reply, new UploadTooSlow(`the upload sent less than ${minBytesPerSecond} bytes/s over ${windowMs / 1000} s`));
    }
    last = now;
  }, windowMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * RFC 9110 §15.5.9: a 408 says the server did not receive a complete request in the time it was
 * prepared to wait, and closes the connection. It is sent before the request is destroyed (which
 * fails the disk's put, so no file is left). A response already under way cannot turn into a
 * 408: the exchange is only aborted, and recorded as such.
 */
function cutOff(reply: FastifyReply, reason: UploadTooSlow): void {
  const request = reply.request;
  const raw: IncomingMessage = request.raw;
  if (reply.raw.headersSent) {
    raw.destroy(reason);
    return;
  }
  request.cutOffStatus = 408;
  reply.header('connection', 'close');
  sendError(reply, 408, 'request_timeout', reason.message);
  reply.raw.once('finish', () => raw.destroy(reason));
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
