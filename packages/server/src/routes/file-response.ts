import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Disk, FileStat } from '@tsforge/storage';

export interface SendFileOptions {
  /** Ask browsers to download rather than render (for URLs anyone may open). */
  attachment?: boolean;
  /** Pinned by a signed URL: served instead of the stored type. */
  contentType?: string;
  /** Pinned by a signed URL: served instead of the default attachment disposition. */
  contentDisposition?: string;
}

/** A file as the JSON API shows it. */
export function describeFile(stat: FileStat) {
  return {
    key: stat.key,
    size: stat.size,
    etag: stat.etag,
    content_type: stat.contentType,
    last_modified: stat.lastModified.toISOString(),
  };
}

/** Streams a stored file with its metadata; answers HEAD and a matching If-None-Match without opening it. */
export async function sendFile(request: FastifyRequest, reply: FastifyReply, disk: Disk, key: string, options: SendFileOptions = {}) {
  if (request.method === 'HEAD') {
    const stat = await disk.stat(key);
    setFileHeaders(reply, stat, options);
    return notModified(request, stat) ? reply.code(304).send() : reply.send();
  }
  const { stat, stream } = await disk.getStream(key);
  setFileHeaders(reply, stat, options);
  if (notModified(request, stat)) {
    destroy(stream);
    return reply.code(304).send();
  }
  return reply.send(stream);
}

function setFileHeaders(reply: FastifyReply, stat: FileStat, options: SendFileOptions): void {
  reply
    .header('content-type', options.contentType ?? stat.contentType)
    .header('content-length', stat.size)
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

function notModified(request: FastifyRequest, stat: FileStat): boolean {
  const header = request.headers['if-none-match'];
  if (!header) return false;
  return header === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === stat.etag);
}

function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*!]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
}
