import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { encodeKeyPath, normalizeKey, type Disk, type FileStat } from '@tsforge/storage';
import type { OAuth2Server } from '@tsforge/oauth2-server';
import type { Logger } from '@tsforge/logging';
import { requireScope } from '../plugins/bearer.js';
import { sendError } from '../plugins/errors.js';
import { watchUploadRate } from '../plugins/timeouts.js';
import { sendFile } from './file-response.js';
import { singleQueryValue } from './query.js';

export interface FilesRoutesOptions {
  disk: Disk;
  logger: Logger;
  oauth: OAuth2Server;
  maxUploadBytes: number;
  minUploadBytesPerSecond: number;
  minUploadRateWindowMs: number;
}

const SIGNED_URL_SUFFIX = '/signed-url';
const DEFAULT_SIGNED_URL_TTL = 3600;
const MAX_PAGE = 1000;

/** The bearer-protected file API under `/api/files`. */
export function filesRoutes(options: FilesRoutesOptions) {
  const { disk, logger, oauth, maxUploadBytes, minUploadBytesPerSecond, minUploadRateWindowMs } = options;
  const canRead = requireScope(oauth, 'files:read');
  const canWrite = requireScope(oauth, 'files:write');

  return async function routes(app: FastifyInstance) {
    // Uploads take the body as a stream, whatever its type: it goes to disk, never into memory.
    await app.register(async (uploads) => {
      uploads.removeAllContentTypeParsers();
      uploads.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

      uploads.put('/api/files/*', { onRequest: canWrite, config: { streamsBody: true } }, async (request, reply) => {
        const key = keyOf(request);
        const declared = Number(request.headers['content-length'] ?? 0);
        if (declared > maxUploadBytes) {
          return sendError(reply, 413, 'payload_too_large', `uploads are limited to ${maxUploadBytes} bytes`);
        }
        // RFC 9112 §6.1: chunked is the only transfer coding decoded here; storing still-encoded
        // bytes as the file would be wrong, so refuse (RFC 9110 §15.6.2: 501).
        const coding = request.headers['transfer-encoding'];
        if (coding !== undefined && coding.trim().toLowerCase() !== 'chunked') {
          return sendError(reply, 501, 'not_implemented', `transfer coding "${coding}" is not supported; send the body as is or chunked`);
        }
        const body = (request.body as Readable | undefined) ?? '';
        const stopWatching = watchUploadRate(request, minUploadBytesPerSecond, minUploadRateWindowMs);
        let stat: FileStat;
        try {
          stat = await disk.put(key, body, {
            contentType: request.headers['content-type'] ?? 'application/octet-stream',
            maxBytes: maxUploadBytes,
          });
        } finally {
          stopWatching();
        }
        logger.info({ key: stat.key, size: stat.size, client_id: request.token?.clientId }, 'file stored');
        return reply
          .code(201)
          .header('etag', stat.etag)
          .header('location', `/api/files/${encodeKeyPath(stat.key)}`)
          .send(describe(stat));
      });
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
      await disk.delete(key);
      logger.info({ key, client_id: request.token?.clientId }, 'file deleted');
      return reply.code(204).send();
    });

    app.get('/api/files', { onRequest: canRead }, async (request, reply) => {
      const query = request.query as Record<string, string | string[] | undefined>;
      const prefix = singleQueryValue(query, 'prefix') ?? '';
      const cursor = singleQueryValue(query, 'cursor');
      const limitText = singleQueryValue(query, 'limit');
      const limit = limitText === undefined ? MAX_PAGE : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
        return sendError(reply, 400, 'invalid_request', `limit must be a whole number from 1 to ${MAX_PAGE}`);
      }
      const files: ReturnType<typeof describe>[] = [];
      let nextCursor: string | null = null;
      // Keys come in UTF-8 byte order (S3's order), so the cursor is compared the same way.
      const after = cursor === undefined ? undefined : Buffer.from(cursor);
      for await (const stat of disk.list(prefix)) {
        if (after !== undefined && Buffer.compare(Buffer.from(stat.key), after) <= 0) continue;
        if (files.length === limit) {
          nextCursor = files[files.length - 1]!.key;
          break;
        }
        files.push(describe(stat));
      }
      return reply.header('cache-control', 'no-store').send({ files, next_cursor: nextCursor });
    });

    app.post('/api/files/*', { onRequest: canRead }, async (request, reply) => {
      const path = rawKeyOf(request);
      if (!path.endsWith(SIGNED_URL_SUFFIX)) {
        return sendError(reply, 404, 'not_found', 'POST /api/files/<key>/signed-url is the only POST here');
      }
      const key = normalizeKey(path.slice(0, -SIGNED_URL_SUFFIX.length));
      const expiresIn = expiresInOf(request.body);
      if (expiresIn === null) {
        return sendError(reply, 400, 'invalid_request', 'body must be JSON like {"expires_in": 3600} (seconds, a whole number)');
      }
      const { url, expiresAt } = await disk.signedUrl(key, { expiresIn });
      return reply.header('cache-control', 'no-store').send({ url, expires_at: expiresAt.toISOString() });
    });
  };
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

function describe(stat: FileStat) {
  return {
    key: stat.key,
    size: stat.size,
    etag: stat.etag,
    content_type: stat.contentType,
    last_modified: stat.lastModified.toISOString(),
  };
}

