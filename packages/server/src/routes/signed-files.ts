import type { FastifyInstance } from 'fastify';
import type { Disk } from '@tsforge/storage';
import { sendFile } from './file-response.js';

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
        const q = request.url.indexOf('?');
        disk.verifySignedUrl(key, q === -1 ? '' : request.url.slice(q + 1));
        return sendFile(request, reply, disk, key, { attachment: true });
      },
    });
  };
}
