import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply } from 'fastify';
import type { Logger } from '@tsforge/logging';
import type { RequestsInFlight } from './request-context.js';

/**
 * Answers requests that never became requests (malformed HTTP, oversized headers, a header
 * timeout) in the same JSON shape as every other error. Node hands these to `clientError` with
 * the raw socket, before any route or hook runs.
 */
export function clientErrorHandler(logger: Logger, inFlight: RequestsInFlight) {
  return function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    // A reset, or the connection ending half way through a request: the client left.
    if (err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
      socket.destroy();
      return;
    }
    const reply = inFlight.get(socket);
    const status = statusFor(err.code);
    // RFC 9112 §9.3.2: "A server MAY process a sequence of pipelined requests in parallel if they
    // all have safe methods, but it MUST send the corresponding responses in the same order that
    // the requests were received." The request in flight arrived whole, so the bad bytes are the
    // next request's: the one in flight gets its own answer first, then the connection ends.
    if (reply?.request.raw.complete) {
      logger.info({ code: err.code, status }, 'malformed HTTP request refused');
      answerAfter(reply, socket, status);
      return;
    }
    // A response is already on its way: a second one would corrupt the stream.
    if (reply?.raw.headersSent) {
      socket.destroy();
      return;
    }
    // A body that turned out malformed mid-request: its access-log line records our answer.
    if (reply) reply.request.cutOffStatus = status;
    else logger.info({ code: err.code, status }, 'malformed HTTP request refused');
    socket.end(rawErrorResponse(status));
  };
}

/**
 * Lets the response in flight finish, then answers the malformed request after it and closes:
 * the parser cannot read past the bad bytes, so nothing more can be served on this connection.
 */
function answerAfter(reply: FastifyReply, socket: Socket, status: number): void {
  const response = reply.raw;
  if (!response.headersSent) response.setHeader('connection', 'close');
  response.once('close', () => {
    if (!response.writableFinished) socket.destroy();
    // Still open only when the response kept the connection (its headers had gone out already).
    else if (socket.writable) socket.end(rawErrorResponse(status));
  });
}

function rawErrorResponse(status: number): string {
  const body = JSON.stringify({ error: errorFor(status), error_description: descriptionFor(status) });
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Cache-Control: no-store\r\n' +
    'X-Content-Type-Options: nosniff\r\n' +
    'Connection: close\r\n\r\n' +
    body
  );
}

function statusFor(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

function errorFor(status: number): string {
  if (status === 431) return 'headers_too_large';
  if (status === 408) return 'request_timeout';
  return 'invalid_request';
}

function descriptionFor(status: number): string {
  if (status === 431) return 'the request headers are too large';
  if (status === 408) return 'the request took too long to arrive';
  return 'malformed HTTP request';
}
