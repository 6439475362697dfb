import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseContentType, type Disk, type Precondition, type PutResult } from '@tsforge/storage';
import { sendError } from '../plugins/errors.js';
import { sendContinue } from '../plugins/expectations.js';
import { headerCopies } from '../plugins/header-copies.js';
import { reachedStorage } from '../plugins/storage-log.js';
import { watchUploadRate } from '../plugins/timeouts.js';

/** What a PUT stores its body as when the client names no type (curl -T sends none). */
export const UPLOAD_DEFAULT_TYPE = 'application/octet-stream';

export interface UploadRefusal {
  status: number;
  error: string;
  description: string;
  headers?: Record<string, string>;
}

/**
 * The checks every upload (bearer PUT and signed PUT) makes on its headers before any byte is
 * read. Returns the refusal, or the content type to store.
 */
export function checkUploadHeaders(request: FastifyRequest, maxUploadBytes: number): UploadRefusal | { contentType: string } {
  const headers = request.headers;
  // RFC 9110 §9.3.4 (and §14.4): "An origin server that allows PUT on a given target resource MUST
  // send a 400 (Bad Request) response to a PUT request that contains a Content-Range header field",
  // since the content is likely partial content mistakenly PUT as a full representation.
  if (headers['content-range'] !== undefined) {
    return { status: 400, error: 'invalid_request', description: 'Content-Range is not accepted on PUT: send the whole file' };
  }
  // RFC 9112 §6.1: chunked is the only transfer coding decoded here; storing still-encoded
  // bytes as the file would be wrong, so refuse (RFC 9110 §15.6.2: 501).
  const transfer = headers['transfer-encoding'];
  if (transfer !== undefined && transfer.trim().toLowerCase() !== 'chunked') {
    return { status: 501, error: 'not_implemented', description: `transfer coding "${transfer}" is not supported; send the body as is or chunked` };
  }
  // RFC 9110 §8.4: a content coding the server does not apply may be refused with 415; the bytes
  // are stored as sent and served back without Content-Encoding, so any coding but identity would
  // turn into a different file. §15.5.16: Accept-Encoding says what would have been accepted.
  const codings = contentCodings(request);
  if (codings.some((coding) => coding !== 'identity')) {
    return {
      status: 415,
      error: 'unsupported_media_type',
      description: 'Content-Encoding is not supported on uploads: send the file\'s own bytes (identity)',
      headers: { 'accept-encoding': 'identity' },
    };
  }
  const types = headerCopies(request.raw, 'content-type') ?? [];
  if (types.length > 1) {
    return { status: 400, error: 'invalid_request', description: 'Content-Type must be sent at most once' };
  }
  const contentType = types.length === 0 ? UPLOAD_DEFAULT_TYPE : parseContentType(types[0]);
  if (contentType === undefined) {
    return { status: 400, error: 'invalid_request', description: 'Content-Type must be a media type like "image/png" (RFC 9110 §8.3.1)' };
  }
  if (Number(headers['content-length'] ?? 0) > maxUploadBytes) {
    return { status: 413, error: 'payload_too_large', description: `uploads are limited to ${maxUploadBytes} bytes` };
  }
  return { contentType };
}

const accepted = new WeakMap<FastifyRequest, string>();

/**
 * An onRequest hook (after the auth hook): refuses a bad upload before Fastify's body parser
 * sees it, which would answer a malformed Content-Type with its own 415.
 */
export function uploadHeaderCheck(maxUploadBytes: number) {
  return async function checkUpload(request: FastifyRequest, reply: FastifyReply) {
    const checked = checkUploadHeaders(request, maxUploadBytes);
    if ('contentType' in checked) {
      accepted.set(request, checked.contentType);
      return;
    }
    for (const [name, value] of Object.entries(checked.headers ?? {})) reply.header(name, value);
    return sendError(reply, checked.status, checked.error, checked.description);
  };
}

/** The type `uploadHeaderCheck` accepted for this request. */
export function uploadContentType(request: FastifyRequest): string {
  const type = accepted.get(request);
  if (type === undefined) throw new TypeError('uploadContentType needs the uploadHeaderCheck hook on the route');
  return type;
}

function contentCodings(request: FastifyRequest): string[] {
  return (headerCopies(request.raw, 'content-encoding') ?? [])
    .flatMap((value) => value.split(','))
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '');
}

export interface UploadLimits {
  maxUploadBytes: number;
  minUploadBytesPerSecond: number;
  minUploadRateWindowMs: number;
}

/**
 * Streams the request's body to `key` on a route whose checks (auth or signature, `uploadHeaderCheck`)
 * have passed: asks the client for the body now (100 Continue), cuts off an upload that stalls,
 * and marks the request as one that reached storage.
 */
export async function storeUpload(
  request: FastifyRequest,
  reply: FastifyReply,
  disk: Disk,
  key: string,
  limits: UploadLimits,
  precondition?: Precondition,
): Promise<PutResult> {
  sendContinue(reply);
  const stopWatching = watchUploadRate(reply, limits.minUploadBytesPerSecond, limits.minUploadRateWindowMs);
  reachedStorage(request);
  try {
    return await disk.upsert(key, (request.body as Readable | undefined) ?? '', {
      contentType: uploadContentType(request),
      maxBytes: limits.maxUploadBytes,
      ...(precondition ? { precondition } : {}),
    });
  } finally {
    stopWatching();
  }
}
