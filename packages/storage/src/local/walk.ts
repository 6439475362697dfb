import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError, errnoCode } from '../errors.js';
import { normalizeKey, normalizePrefix } from '../key.js';
import type { FileStat } from '../types.js';
import { isTempName } from './atomic-file.js';
import type { Jail } from './jail.js';

interface Entry {
  name: string;
  dir: boolean;
  order: Buffer;
}

/**
 * Yields every stored file whose key starts with `prefix`, in UTF-8 byte order of the key (the
 * order S3 lists in), reading one directory at a time. A directory sorts as `name/`, which is
 * exactly where all of its keys fall among its siblings, so a depth-first walk over sorted
 * entries yields globally sorted keys. Symlinks, temp files and anything that is not a regular
 * file or directory are skipped, and so are names that are not canonical keys.
 *
 * With `startAfter`, the walk goes straight to the cursor: a subtree whose keys all sort at or
 * before it is never read, and a file at or before it is never stat'ed, so a page far into a
 * listing costs about what the first page does (one readdir per level down to the cursor).
 */
export async function* walk(
  jail: Jail,
  prefix: string,
  statKey: (key: string) => Promise<FileStat>,
  startAfter?: string,
): AsyncGenerator<FileStat> {
  // A prefix only ever filters keys. Disk hands over normalized prefixes; normalizing again here
  // means no spelling ('..', a leading '/', 'a//b') can reach the path built below.
  const filter = normalizePrefix(prefix);
  const slash = filter.lastIndexOf('/');
  const dirKey = slash === -1 ? '' : filter.slice(0, slash);
  const start = dirKey === '' ? jail.base : join(jail.base, ...dirKey.split('/'));
  await jail.check(start);
  const after = startAfter === undefined ? undefined : Buffer.from(startAfter);
  yield* walkDir(start, dirKey, filter.slice(slash + 1), statKey, after);
}

async function* walkDir(
  dir: string,
  dirKey: string,
  namePrefix: string,
  statKey: (key: string) => Promise<FileStat>,
  after: Buffer | undefined,
): AsyncGenerator<FileStat> {
  for (const entry of await readEntries(dir, namePrefix)) {
    const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
    // Once one entry is past the cursor, every later sibling is too (they come sorted).
    const place = after === undefined ? 'past' : placeOf(Buffer.from(entry.dir ? `${key}/` : key), entry.dir, after);
    if (place === 'before') continue;
    if (entry.dir) {
      yield* walkDir(join(dir, entry.name), key, '', statKey, place === 'holds' ? after : undefined);
      after = undefined;
      continue;
    }
    after = undefined;
    if (!isCanonical(key)) continue;
    try {
      yield await statKey(key);
    } catch (err) {
      if (StorageError.is(err, 'E_NOT_FOUND')) continue; // deleted since readdir
      throw err;
    }
  }
}

/**
 * Where an entry lies relative to the cursor. A file is `before` when its key sorts at or before
 * the cursor. A directory's keys all start with `order` (`<key>/`), so it is `before` when that
 * sorts below the cursor's first bytes, `holds` the cursor when they are equal, `past` otherwise.
 */
function placeOf(order: Buffer, dir: boolean, after: Buffer): 'before' | 'holds' | 'past' {
  if (!dir) return Buffer.compare(order, after) <= 0 ? 'before' : 'past';
  const head = Buffer.compare(order, after.subarray(0, order.length));
  return head < 0 ? 'before' : head === 0 ? 'holds' : 'past';
}

async function readEntries(dir: string, namePrefix: string): Promise<Entry[]> {
  let dirents;
  try {
    dirents = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = errnoCode(err);
    // A prefix may name a directory no key can live in (missing, a file, a name past NAME_MAX):
    // like any other prefix that matches nothing, it lists nothing.
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return [];
    throw err;
  }
  const entries: Entry[] = [];
  for (const dirent of dirents) {
    if (!dirent.name.startsWith(namePrefix)) continue;
    // Dirent types come from lstat semantics: a symlink is neither a file nor a directory here.
    if (dirent.isDirectory()) entries.push({ name: dirent.name, dir: true, order: Buffer.from(`${dirent.name}/`) });
    else if (dirent.isFile() && !isTempName(dirent.name)) entries.push({ name: dirent.name, dir: false, order: Buffer.from(dirent.name) });
  }
  return entries.sort((a, b) => Buffer.compare(a.order, b.order));
}

function isCanonical(key: string): boolean {
  try {
    return normalizeKey(key) === key;
  } catch {
    return false;
  }
}
