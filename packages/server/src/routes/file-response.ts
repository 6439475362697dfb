import type { FastifyReply, FastifyRequest } from 'fastify';
import { StorageError, preconditionHolds, type Disk, type FileStat } from '@tsforge/storage';
import { sendError } from '../plugins/errors.js';
import { decideRange } from './byte-range.js';
import { reachedStorage } from '../plugins/storage-log.js';
import { modifiedSinceOf, preconditionOf } from './preconditions.js';

export interface SendFileOptions {
  /** Ask browsers to download rather than render (for URLs anyone may open). */
  attachment?: boolean;
  /** Pinned by a signed URL: served instead of the stored type. */
  contentType?: string;
  /** Pinned by a signed URL: served instead of the default attachment disposition. */
  contentDisposition?: string;
}

/** Streams a stored file with its metadata; answers HEAD and a matching If-None-Match without opening it. */
export async function sendFile(request: FastifyRequest, reply: FastifyReply, disk: Disk, key: string, options: SendFileOptions = {}) {
  reachedStorage(request);
  if (request.method === 'HEAD') {
    const stat = await disk.stat(key);
    if (!matches(request, stat)) return preconditionFailed(reply);
    setFileHeaders(reply, stat, options);
    return notModified(request, stat) ? reply.code(304).send() : reply.send();
  }
  if (request.headers.range !== undefined) return sendRange(request, reply, disk, key, options);
  const { stat, stream } = await disk.getStream(key);
  if (!matches(request, stat)) {
    destroy(stream);
    return preconditionFailed(reply);
  }
  setFileHeaders(reply, stat, options);
  if (notModified(request, stat)) {
    destroy(stream);
    return reply.code(304).send();
  }
  return reply.send(stream);
}

/** RFC 9110 §14.2: a GET with Range gets 206 and that part, 416, or (ignored) the whole file. */
async function sendRange(request: FastifyRequest, reply: FastifyReply, disk: Disk, key: string, options: SendFileOptions) {
  const whole = await disk.stat(key);
  if (!matches(request, whole)) return preconditionFailed(reply);
  setFileHeaders(reply, whole, options);
  // RFC 9110 §13.2.2: If-None-Match is evaluated before Range.
  if (notModified(request, whole)) return reply.code(304).send();
  const ifRange = request.headers['if-range'];
  const decision = decideRange(request.headers.range, Array.isArray(ifRange) ? ifRange[0] : ifRange, whole);
  if (decision === 'unsatisfiable') return unsatisfiable(reply, whole.size);
  // The headers describe what is actually sent, should the file have been replaced since the stat.
  let opened: Awaited<ReturnType<Disk['getStream']>>;
  try {
    opened = await disk.getStream(key, decision ? { range: decision } : {});
  } catch (err) {
    // Replaced by a shorter file between the stat and the open: the range no longer fits it.
    if (!StorageError.is(err, 'E_RANGE_NOT_SATISFIABLE')) throw err;
    return unsatisfiable(reply, (await disk.stat(key)).size);
  }
  const { stat, stream, range } = opened;
  setFileHeaders(reply, stat, options);
  if (!range) return reply.send(stream);
  return reply
    .code(206)
    .header('content-range', `bytes ${range.start}-${range.end}/${stat.size}`)
    .header('content-length', range.end - range.start + 1)
    .send(stream);
}

/** RFC 9110 §15.5.17: a 416 names the current length in Content-Range. */
function unsatisfiable(reply: FastifyReply, size: number) {
  reply.removeHeader('content-length');
  reply.removeHeader('etag');
  reply.removeHeader('last-modified');
  reply.header('content-range', `bytes */${size}`);
  return sendError(reply, 416, 'range_not_satisfiable', `the file has ${size} bytes`);
}

function setFileHeaders(reply: FastifyReply, stat: FileStat, options: SendFileOptions): void {
  reply
    .header('content-type', options.contentType ?? stat.contentType)
    .header('content-length', stat.size)
    .header('accept-ranges', 'bytes')
    .header('etag', stat.etag)
    .header('last-modified', stat.lastModified.toUTCString())
    .header('x-content-type-options', 'nosniff')
    // A stored file is the user's bytes, not our page: never let it run script on our origin.
    .header('content-security-policy', "default-src 'none'; sandbox");
  if (options.contentDisposition) {
    reply.header('content-disposition', options.contentDisposition);
  } else if (options.attachment) {
    const name = stat.key.slice(stat.key.lastIndexOf('/') + 1);
    reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeRfc5987(name)}`);
  }
}

/**
 * RFC 9110 §13.2.2 steps 1 and 2: If-Match, else If-Unmodified-Since; false → 412 (§13.1.1,
 * §13.1.4). `preconditionHolds` ignores the date when If-Match is there.
 */
function matches(request: FastifyRequest, stat: FileStat): boolean {
  const precondition = preconditionOf(request);
  if (precondition === undefined) return true;
  const { ifMatch, ifUnmodifiedSince } = precondition;
  return preconditionHolds({ ...(ifMatch ? { ifMatch } : {}), ...(ifUnmodifiedSince ? { ifUnmodifiedSince } : {}) }, stat);
}

/**
 * §13.2.2 steps 3 and 4 on GET or HEAD → 304: If-None-Match false (§13.1.2), else (no
 * If-None-Match) If-Modified-Since false: "the selected representation's last modification date
 * is earlier or equal to the date provided" (§13.1.3), compared in whole seconds.
 */
function notModified(request: FastifyRequest, stat: FileStat): boolean {
  const precondition = preconditionOf(request);
  if (precondition?.ifNoneMatch !== undefined) return !preconditionHolds({ ifNoneMatch: precondition.ifNoneMatch }, stat);
  const since = modifiedSinceOf(request);
  return since !== undefined && Math.floor(stat.lastModified.getTime() / 1000) <= Math.floor(since / 1000);
}

function preconditionFailed(reply: FastifyReply) {
  return sendError(reply, 412, 'precondition_failed', 'the file\'s current version does not satisfy If-Match / If-Unmodified-Since');
}

function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*!]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
}
