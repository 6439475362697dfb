import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StorageError, type Disk } from '@tsforge/storage';
import type { Logger } from '@tsforge/logging';
import { sendFile } from './file-response.js';
import { describeFile } from '../file-json.js';
import { storeUpload, type UploadLimits } from './upload-request.js';

/**
 * `GET /files/<key>?expires=…&signature=…`: whoever holds a URL made by
 * `POST /api/files/<key>/signed-url` may download that one file until it expires. The signature
 * is checked before the disk is touched, so a bad URL learns nothing about what exists.
 */
export function signedFilesRoutes(disk: Disk) {
  return async function routes(app: FastifyInstance) {
    app.route({
      method: ['GET', 'HEAD'],
      url: '/files/*',
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const key = (request.params as { '*': string })['*'];
        const pinned = disk.verifySignedUrl(key, queryOf(request));
        return sendFile(request, reply, disk, key, {
          attachment: true,
          ...(pinned['response-content-type'] ? { contentType: pinned['response-content-type'] } : {}),
          ...(pinned['response-content-disposition'] ? { contentDisposition: pinned['response-content-disposition'] } : {}),
        });
      },
    });
  };
}

export interface SignedUploadOptions extends UploadLimits {
  disk: Disk;
  logger: Logger;
}

/**
 * `PUT /files/<key>?expires=…&signature=…`: one upload with a URL made by
 * `POST /api/files/<key>/upload-url`. Signed with the method, so a download URL cannot upload;
 * a pinned `content-type` and `content-length` must be sent exactly (as S3 does, 403 otherwise).
 */
export function signedUploadHandler(options: SignedUploadOptions) {
  const { disk, logger } = options;
  return async function signedUpload(request: FastifyRequest, reply: FastifyReply) {
    const key = (request.params as { '*': string })['*'];
    const pinned = disk.verifySignedUrl(key, queryOf(request), 'PUT');
    const sent = request.headers['content-type'];
    if (pinned['content-type'] !== undefined && sent !== pinned['content-type']) {
      throw new StorageError('E_SIGNATURE_INVALID', `this upload URL requires Content-Type: ${pinned['content-type']}`);
    }
    const length = pinned['content-length'];
    if (length !== undefined && request.headers['content-length'] !== length) {
      // As S3 does for a presigned PUT with a signed Content-Length (403 there too).
      throw new StorageError('E_SIGNATURE_INVALID', `this upload URL requires Content-Length: ${length}`);
    }
    const stored = await storeUpload(request, reply, disk, key, options);
    const { stat, created } = stored;
    logger.info({ key: stat.key, size: stat.size }, 'file stored by signed upload');
    // RFC 9110 §9.3.4: 201 when the PUT created the file, 200 when it replaced one. No Location:
    // the file's own URL here is the signed one, which the client already holds.
    return reply.code(created ? 201 : 200).header('etag', stat.etag).header('cache-control', 'no-store').send(describeFile(stat));
  };
}

function queryOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q === -1 ? '' : request.url.slice(q + 1);
}
