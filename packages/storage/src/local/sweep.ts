import { lstat, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import { isTempName, removeQuietly, tempOwner } from './atomic-file.js';

export interface SweepOptions {
  /** Temp files older than this are removed whoever wrote them (a writer on another host); default 24 h. */
  maxAgeMs?: number;
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  clock?: () => number;
}

/**
 * Removes the temp files of writes that never finished: their process died (SIGKILL, power
 * loss) before the rename, or they are older than `maxAgeMs`. A temp file of a live process is
 * a write in flight and is left alone. Never follows a symlink. Returns how many were removed.
 */
export async function sweepTempFiles(roots: readonly string[], options: SweepOptions = {}): Promise<number> {
  const maxAgeMs = options.maxAgeMs ?? 24 * 60 * 60 * 1000;
  const now = (options.clock ?? Date.now)();
  let removed = 0;
  const visit = async (dir: string, isRoot: boolean): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return;
      throw err;
    }
    let removedHere = 0;
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await visit(path, false);
      else if (entry.isFile() && isTempName(entry.name)) {
        const stale = !alive(tempOwner(entry.name)) || now - (await lstat(path).catch(() => ({ mtimeMs: now }))).mtimeMs > maxAgeMs;
        if (stale) {
          await removeQuietly(path);
          removed++;
          removedHere++;
        }
      }
    }
    // A directory that held only debris goes too, as a failed put would have pruned it.
    if (removedHere > 0 && !isRoot && removedHere === entries.length) await rmdir(dir).catch(() => {});
  };
  for (const root of roots) await visit(root, true);
  return removed;
}

function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return errnoCode(err) === 'EPERM';
  }
}
