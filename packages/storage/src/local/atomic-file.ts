import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ContentMeter, toReadable } from '../body.js';
import { errnoCode } from '../errors.js';
import type { PutBody } from '../types.js';
import { batchedCopy } from './batched-copy.js';
import type { Jail } from './jail.js';

// Not every platform has these (Windows); 0 leaves the flag out.
export const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
export const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW;
const TEMP_NAME = /^\..*\.[0-9a-f]{32}\.tmp$/s;
const TEMP_STEM_BYTES = 100;
// Each retry needs a delete to prune the directory again inside a window of a few syscalls.
const OPEN_ATTEMPTS = 16;

/**
 * `.<name>.<owner pid, 8 hex><96 random bits>.tmp`: hidden, unguessable, recognisable so listings
 * skip it, and naming the process writing it, so a sweep after a crash knows whose it was.
 */
export function tempName(name: string): string {
  let stem = '';
  let bytes = 0;
  for (const char of name) {
    bytes += Buffer.byteLength(char, 'utf8');
    if (bytes > TEMP_STEM_BYTES) break;
    stem += char;
  }
  const owner = (process.pid >>> 0).toString(16).padStart(8, '0');
  return `.${stem}.${owner}${randomBytes(12).toString('hex')}.tmp`;
}

/** The pid that wrote a temp file, from its name. */
export function tempOwner(name: string): number {
  return Number.parseInt(name.slice(-36, -28), 16);
}

export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

export interface TempFile {
  path: string;
  etag: string;
  stat: Stats;
}

/**
 * Streams `body` into a fresh temp file beside `name` in `dir`, hashing as it goes, and fsyncs
 * it. Nothing is ever buffered whole. On any failure (the source errors, `maxBytes` is passed,
 * the disk is full) the temp file is removed before the error is rethrown. A caller's Readable
 * is left open on a failure of ours (an HTTP server can still answer 413 on its socket).
 */
export async function writeTemp(
  jail: Jail,
  dir: string,
  name: string,
  body: PutBody,
  options: { maxBytes?: number; mode: number },
): Promise<TempFile> {
  const { stream, owned } = toReadable(body);
  let handle: FileHandle | undefined;
  let path: string | undefined;
  try {
    ({ path, handle } = await openTemp(jail, dir, name, options.mode));
    const meter = new ContentMeter(options.maxBytes);
    await batchedCopy(stream, handle, meter);
    await handle.sync();
    const stat = await handle.stat();
    await handle.close();
    return { path, etag: meter.etag(), stat };
  } catch (err) {
    if (owned) stream.destroy();
    await handle?.close().catch(() => {});
    if (path !== undefined) await removeQuietly(path);
    throw err;
  }
}

/** Makes a rename durable across a crash by flushing the directory entry. Best effort where unsupported. */
export async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Some platforms and file systems cannot fsync a directory; the file itself is already synced.
  } finally {
    await handle?.close().catch(() => {});
  }
}

export async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

/**
 * Makes `dir` and opens a fresh temp file in it. A concurrent delete prunes empty directories,
 * so one may vanish under `mkdir -p` (a parent removed between two levels) or between the mkdir
 * and the open: both fail with ENOENT, and both are retried from the mkdir. Once the temp file
 * exists its directory is not empty, and rmdir(2) cannot remove it until the put is done.
 */
async function openTemp(jail: Jail, dir: string, name: string, mode: number): Promise<{ path: string; handle: FileHandle }> {
  for (let attempt = 1; ; attempt++) {
    const path = join(dir, tempName(name));
    try {
      await jail.ensure(dir);
      return { path, handle: await open(path, CREATE_FLAGS, mode) };
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' || attempt === OPEN_ATTEMPTS) throw err;
    }
  }
}
