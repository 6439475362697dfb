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
 * What a put records about one file version, in a tree outside the key space. `size`, `mtimeMs`
 * and `ino` identify the exact version: rename(2) keeps all three, and every write is a new
 * inode, so a record left over from a crash or a racing writer never matches other bytes.
 */
export interface SidecarVersion {
  contentType: string;
  etag: string;
  size: number;
  mtimeMs: number;
  ino: number;
  /** Absent when empty. */
  metadata?: Record<string, string>;
}

/**
 * The sidecar file: the version a put is about to rename into place and, in `previous`, the
 * version it replaces. A put renames the sidecar in first and the data second, so whichever data
 * file a reader opened, the sidecar it reads next names it: until the data rename the old bytes
 * match `previous`, after it the new bytes match the record itself. A crash between the renames
 * leaves the old bytes matched by `previous`.
 */
export interface Sidecar extends SidecarVersion {
  v: 1;
  previous?: SidecarVersion;
}

const ETAG = /^"[0-9a-f]{32}"$/;
// Two versions of at most 2 KiB of metadata each; JSON adds up to 4 characters per metadata byte
// (1000 two-letter names with empty values), so 16 KiB each covers the worst case.
const MAX_SIDECAR_BYTES = 32 * 1024;

/**
 * Where the sidecar of `segments` lives under `metaRoot`. Files get `.json`, directories `.d`,
 * so a key `a` (sidecar `a.json`) and a key `a.json/x` (directory `a.json.d`) never collide.
 */
export function sidecarPath(metaRoot: string, segments: readonly string[]): string {
  const dirs = segments.slice(0, -1).map((segment) => `${segment}.d`);
  return join(metaRoot, ...dirs, `${segments[segments.length - 1]}.json`);
}

export function sidecarFor(
  contentType: string,
  etag: string,
  stat: Stats,
  metadata: Record<string, string> | undefined,
  previous: SidecarVersion | undefined,
): Sidecar {
  const record: Sidecar = { v: 1, contentType, etag, size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino };
  if (metadata && Object.keys(metadata).length) record.metadata = metadata;
  if (previous) record.previous = currentOnly(previous);
  return record;
}

/** The record in `sidecar` that describes the very file version `stat` describes, if any. */
export function versionFor(sidecar: Sidecar | undefined, stat: Stats): SidecarVersion | undefined {
  if (sidecar === undefined) return undefined;
  if (describesVersion(sidecar, stat)) return sidecar;
  if (sidecar.previous && describesVersion(sidecar.previous, stat)) return sidecar.previous;
  return undefined;
}

/** The sidecar at `path`, or undefined if it is missing or malformed. */
export async function readSidecar(path: string): Promise<Sidecar | undefined> {
  let text: string;
  try {
    const fh = await open(path, constants.O_RDONLY | O_NOFOLLOW);
    try {
      const buffer = Buffer.allocUnsafe(MAX_SIDECAR_BYTES); // only the bytes read are used
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
export function toFileStat(key: string, stat: Stats, version: SidecarVersion | undefined): FileStat {
  const matches = version !== undefined && describesVersion(version, stat);
  return {
    key,
    size: stat.size,
    lastModified: new Date(Math.floor(stat.mtimeMs)),
    etag: matches ? version.etag : fallbackEtag(stat),
    contentType: matches ? version.contentType : DEFAULT_CONTENT_TYPE,
    metadata: matches && version.metadata ? { ...version.metadata } : {},
  };
}

/** Whether `version` was written for the very file version `stat` describes. */
export function describesVersion(version: SidecarVersion, stat: Stats | SidecarVersion): boolean {
  return version.size === stat.size && version.mtimeMs === stat.mtimeMs && version.ino === stat.ino;
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
  if (typeof value !== 'object' || value === null || (value as { v?: unknown }).v !== 1) return undefined;
  const current = parseVersion(value as Record<string, unknown>);
  if (current === undefined) return undefined;
  const record: Sidecar = { v: 1, ...current };
  const previous = (value as { previous?: unknown }).previous;
  if (previous !== undefined) {
    const parsed = typeof previous === 'object' && previous !== null ? parseVersion(previous as Record<string, unknown>) : undefined;
    if (parsed === undefined) return undefined;
    record.previous = parsed;
  }
  return record;
}

function parseVersion(s: Record<string, unknown>): SidecarVersion | undefined {
  // Whatever is in the file ends up in response headers, so it is validated like input.
  if (
    typeof s.etag !== 'string' || !ETAG.test(s.etag) ||
    typeof s.contentType !== 'string' || parseContentType(s.contentType) !== s.contentType ||
    typeof s.size !== 'number' || typeof s.mtimeMs !== 'number' || typeof s.ino !== 'number'
  ) {
    return undefined;
  }
  const version: SidecarVersion = { contentType: s.contentType, etag: s.etag, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  if (s.metadata !== undefined) {
    const metadata = parseMetadata(s.metadata);
    if (metadata === undefined) return undefined;
    version.metadata = metadata;
  }
  return version;
}

/** A version without the one it replaced: a sidecar keeps one step of history, never a chain. */
function currentOnly(version: SidecarVersion): SidecarVersion {
  const { contentType, etag, size, mtimeMs, ino, metadata } = version;
  return metadata ? { contentType, etag, size, mtimeMs, ino, metadata } : { contentType, etag, size, mtimeMs, ino };
}
