import type { FileStat } from '@tsforge/storage';

/**
 * A file as JSON: the item of `GET /api/files`, the body of an upload's 201, and each line of
 * `tsforge storage ls --json`. One function, so the CLI and the API cannot drift apart.
 */
export function describeFile(stat: FileStat) {
  return {
    key: stat.key,
    size: stat.size,
    etag: stat.etag,
    content_type: stat.contentType,
    last_modified: stat.lastModified.toISOString(),
  };
}
