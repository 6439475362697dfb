import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { encodeKeyPath, normalizeKey, parseContentType, type Disk, type Precondition } from '@tsforge/storage';
import type { OAuth2Server } from '@tsforge/oauth2-server';
import type { Logger } from '@tsforge/logging';
import { requireScope } from '../plugins/bearer.js';
import { sendError } from '../plugins/errors.js';
import { sendFile } from './file-response.js';
import { describeFile as describe } from '../file-json.js';
import { signedUploadHandler } from './signed-files.js';
import { singleQueryValue } from './query.js';
import { reachedStorage } from '../plugins/storage-log.js';
import { preconditionOf } from './preconditions.js';
import { storeUpload, uploadHeaderCheck, type UploadLimits } from './upload-request.js';

export interface FilesRoutesOptions extends UploadLimits {
  disk: Disk;
  logger: Logger;
  oauth: OAuth2Server;
}

const SIGNED_URL_SUFFIX = '/signed-url';
const UPLOAD_URL_SUFFIX = '/upload-url';
const DEFAULT_SIGNED_URL_TTL = 3600;
const MAX_PAGE = 1000;

/** The bearer-protected file API under `/api/files`. */
export function filesRoutes(options: FilesRoutesOptions) {
  const { disk, logger, oauth, maxUploadBytes } = options;
  const canRead = requireScope(oauth, 'files:read');
  const canWrite = requireScope(oauth, 'files:write');
  // Making an upload URL hands out write access, so it needs files:write; a download URL, files:read.
  // Judged on the decoded path the handler acts on, never the raw URL (".../x%2Fupload-url").
  const canSign = function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    return (rawKeyOf(request).endsWith(UPLOAD_URL_SUFFIX) ? canWrite : canRead).call(this, request, reply);
  };

  return async function routes(app: FastifyInstance) {
    // Uploads take the body as a stream, whatever its type: it goes to disk, never into memory.
    await app.register(async (uploads) => {
      uploads.removeAllContentTypeParsers();
      uploads.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

      const checkUpload = uploadHeaderCheck(maxUploadBytes);
      uploads.put('/api/files/*', { onRequest: [canWrite, checkUpload], config: { streamsBody: true } }, async (request, reply) => {
        const key = keyOf(request);
        const stored = await storeUpload(request, reply, disk, key, options, preconditionOf(request));
        const { stat, created } = stored;
        logger.info({ key: stat.key, size: stat.size, client_id: request.token?.clientId }, 'file stored');
        reply.header('etag', stat.etag);
        // RFC 9110 §9.3.4: "If the target resource does not have a current representation and the
        // PUT successfully creates one, then the origin server MUST inform the user agent by sending
        // a 201 (Created) response. If the target resource does have a current representation and
        // that representation is successfully modified [...], then the origin server MUST send
        // either a 200 (OK) or a 204 (No Content) response".
        if (!created) return reply.code(200).send(describe(stat));
        return reply.code(201).header('location', `/api/files/${encodeKeyPath(stat.key)}`).send(describe(stat));
      });

      // PUT /files/<key>?expires=…&signature=…: an upload URL this server signed (local disks;
      // on S3 the presigned URL points at the store itself).
      uploads.put('/files/*', { onRequest: checkUpload, config: { streamsBody: true } }, signedUploadHandler(options));
    });

    app.route({
      method: ['GET', 'HEAD'],
      url: '/api/files/*',
      exposeHeadRoute: false,
      onRequest: canRead,
      // The disk normalizes (and refuses) the key itself; no need to do it twice on the hot path.
      handler: (request, reply) => sendFile(request, reply, disk, rawKeyOf(request)),
    });

    app.delete('/api/files/*', { onRequest: canWrite }, async (request, reply) => {
      const key = keyOf(request);
      reachedStorage(request);
      await disk.delete(key, preconditionOption(request));
      logger.info({ key, client_id: request.token?.clientId }, 'file deleted');
      return reply.code(204).send();
    });

    app.get('/api/files', { onRequest: canRead }, async (request, reply) => {
      const query = request.query as Record<string, string | string[] | undefined>;
      const prefix = singleQueryValue(query, 'prefix') ?? '';
      const cursor = singleQueryValue(query, 'cursor');
      const limitText = singleQueryValue(query, 'limit');
      // Digits only: Number() would also take "1e2", "0x10", " 5" and "" (0).
      const limit = limitText === undefined ? MAX_PAGE : /^[0-9]{1,7}$/.test(limitText) ? Number(limitText) : NaN;
      if (!(limit >= 1 && limit <= MAX_PAGE)) {
        return sendError(reply, 400, 'invalid_request', `limit must be a whole number from 1 to ${MAX_PAGE}`);
      }
      // Keys come in UTF-8 byte order (S3's order); the cursor is the last key of the page before.
      reachedStorage(request);
      const page = await disk.listPage(prefix, { limit, ...(cursor === undefined ? {} : { cursor }) });
      return reply.header('cache-control', 'no-store').send({ files: page.files.map(describe), next_cursor: page.cursor });
    });

    app.post('/api/files/*', { onRequest: canSign }, async (request, reply) => {
      const path = rawKeyOf(request);
      const upload = path.endsWith(UPLOAD_URL_SUFFIX);
      if (!upload && !path.endsWith(SIGNED_URL_SUFFIX)) {
        return sendError(reply, 404, 'not_found', 'POST /api/files/<key>/signed-url and /upload-url are the only POSTs here');
      }
      const key = normalizeKey(path.slice(0, -(upload ? UPLOAD_URL_SUFFIX : SIGNED_URL_SUFFIX).length));
      const expiresIn = expiresInOf(request.body);
      if (expiresIn === null) {
        return sendError(reply, 400, 'invalid_request', 'body must be JSON like {"expires_in": 3600} (seconds, a whole number)');
      }
      const contentType = contentTypeOf(request.body);
      if (contentType === null) {
        return sendError(reply, 400, 'invalid_request', 'content_type must be a media type like "image/png"');
      }
      reachedStorage(request);
      if (!upload) {
        const { url, expiresAt } = await disk.signedUrl(key, { expiresIn });
        return reply.header('cache-control', 'no-store').send({ url, expires_at: expiresAt.toISOString() });
      }
      // The bytes of an S3 upload never pass through here: the size is signed into the URL, so
      // the store itself refuses any other length, and the limit is enforced now.
      const size = sizeOf(request.body);
      if (size === null) {
        return sendError(reply, 400, 'invalid_request', 'body must state the upload\'s size in bytes, like {"size": 1234, "expires_in": 3600}');
      }
      if (size > maxUploadBytes) {
        return sendError(reply, 413, 'payload_too_large', `uploads are limited to ${maxUploadBytes} bytes`);
      }
      const signed = await disk.signedUploadUrl(key, { expiresIn, contentLength: size, ...(contentType ? { contentType } : {}) });
      logger.info({ key, client_id: request.token?.clientId, expires_in: expiresIn, size }, 'upload URL signed');
      return reply.header('cache-control', 'no-store').send({
        url: signed.url, method: signed.method, headers: signed.headers, expires_at: signed.expiresAt.toISOString(),
      });
    });
  };
}

function preconditionOption(request: FastifyRequest): { precondition?: Precondition } {
  const precondition = preconditionOf(request);
  return precondition ? { precondition } : {};
}

function rawKeyOf(request: FastifyRequest): string {
  return (request.params as { '*': string })['*'];
}

/** Normalized up front where the route must refuse a bad key before anything else (or logs it). */
function keyOf(request: FastifyRequest): string {
  return normalizeKey(rawKeyOf(request));
}

function expiresInOf(body: unknown): number | null {
  if (body === undefined || body === null) return DEFAULT_SIGNED_URL_TTL;
  if (typeof body !== 'object' || Array.isArray(body)) return null;
  const value = (body as Record<string, unknown>).expires_in;
  if (value === undefined) return DEFAULT_SIGNED_URL_TTL;
  // Range is the storage library's to judge (1..max), so its error names the limit.
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The `size` an upload URL is signed for: a whole number of bytes; null when missing or malformed. */
function sizeOf(body: unknown): number | null {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const value = (body as Record<string, unknown>).size;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** undefined: none asked for; null: malformed. */
function contentTypeOf(body: unknown): string | undefined | null {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const value = (body as Record<string, unknown>).content_type;
  if (value === undefined) return undefined;
  return typeof value === 'string' && parseContentType(value) !== undefined ? value : null;
}
