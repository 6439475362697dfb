import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_CONTENT_TYPE, parseContentType } from '../content-type.js';
import { errnoCode } from '../errors.js';
import { parseMetadata } from '../metadata.js';
import type { FileStat } from '../types.js';
import { O_NOFOLLOW } from './atomic-file.js';

/**
 * What a put records beside the data, in a tree outside the key space. `size`, `mtimeMs` and
 * `ino` identify the exact file version it describes: rename(2) keeps all three, and every write
 * is a new inode, so a sidecar left over from a crash or a racing writer never matches.
 */
export interface Sidecar {
  v: 1;
  contentType: string;
  etag: string;
  size: number;
  mtimeMs: number;
  ino: number;
  /** Absent when empty. */
  metadata?: Record<string, string>;
}

const ETAG = /^"[0-9a-f]{32}"$/;
const MAX_SIDECAR_BYTES = 8192; // 2 KiB of metadata, JSON-escaped, and the rest

/**
 * Where the sidecar of `segments` lives under `metaRoot`. Files get `.json`, directories `.d`,
 * so a key `a` (sidecar `a.json`) and a key `a.json/x` (directory `a.json.d`) never collide.
 */
export function sidecarPath(metaRoot: string, segments: readonly string[]): string {
  const dirs = segments.slice(0, -1).map((segment) => `${segment}.d`);
  return join(metaRoot, ...dirs, `${segments[segments.length - 1]}.json`);
}

export function sidecarFor(contentType: string, etag: string, stat: Stats, metadata?: Record<string, string>): Sidecar {
  const record: Sidecar = { v: 1, contentType, etag, size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
  if (metadata && Object.keys(metadata).length) record.metadata = metadata;
  return record;
}

/** The sidecar at `path`, or undefined if it is missing or malformed. */
export async function readSidecar(path: string): Promise<Sidecar | undefined> {
  let text: string;
  try {
    const fh = await open(path, constants.O_RDONLY | O_NOFOLLOW);
    try {
      const buffer = Buffer.alloc(MAX_SIDECAR_BYTES);
      const { bytesRead } = await fh.read(buffer, 0, MAX_SIDECAR_BYTES, 0);
      text = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'EISDIR') return undefined;
    throw err;
  }
  return parseSidecar(text);
}

/**
 * The FileStat of the file version `stat` describes. If the sidecar does not describe that very
 * version, the content type falls back to `application/octet-stream` and the etag to one derived
 * from the version's inode, size and mtime: still strong and still changing with every write, so
 * a reader never gets an etag that belongs to other bytes.
 */
export function toFileStat(key: string, stat: Stats, sidecar: Sidecar | undefined): FileStat {
  const matches = sidecar !== undefined && describesVersion(sidecar, stat);
  return {
    key,
    size: stat.size,
    lastModified: new Date(Math.floor(stat.mtimeMs)),
    etag: matches ? sidecar.etag : fallbackEtag(stat),
    contentType: matches ? sidecar.contentType : DEFAULT_CONTENT_TYPE,
    metadata: matches && sidecar.metadata ? { ...sidecar.metadata } : {},
  };
}

/** Whether `sidecar` was written for the very file version `stat` describes. */
export function describesVersion(sidecar: Sidecar, stat: Stats): boolean {
  return sidecar.size === stat.size && sidecar.mtimeMs === stat.mtimeMs && sidecar.ino === stat.ino;
}

export function fallbackEtag(stat: Stats): string {
  const version = `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  return `"${createHash('sha256').update(version).digest('hex').slice(0, 32)}"`;
}

function parseSidecar(text: string): Sidecar | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const s = value as Record<string, unknown>;
  // Whatever is in the file ends up in response headers, so it is validated like input.
  if (
    s.v !== 1 ||
    typeof s.etag !== 'string' || !ETAG.test(s.etag) ||
    typeof s.contentType !== 'string' || parseContentType(s.contentType) !== s.contentType ||
    typeof s.size !== 'number' || typeof s.mtimeMs !== 'number' || typeof s.ino !== 'number'
  ) {
    return undefined;
  }
  const record: Sidecar = { v: 1, contentType: s.contentType, etag: s.etag, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  if (s.metadata !== undefined) {
    const metadata = parseMetadata(s.metadata);
    if (metadata === undefined) return undefined;
    record.metadata = metadata;
  }
  return record;
}
