import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '@tsforge/logging';

/**
 * Answers requests that never became requests (malformed HTTP, oversized headers, a header
 * timeout) in the same JSON shape as every other error. Node hands these to `clientError` with
 * the raw socket, before any route or hook runs.
 */
export function clientErrorHandler(logger: Logger) {
  return function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = statusFor(err.code);
    const body = JSON.stringify({ error: errorFor(status), error_description: descriptionFor(status) });
    logger.debug({ code: err.code, status }, 'malformed HTTP request');
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Cache-Control: no-store\r\n' +
        'X-Content-Type-Options: nosniff\r\n' +
        'Connection: close\r\n\r\n' +
        body,
    );
  };
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
