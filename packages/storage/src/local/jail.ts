import { mkdir, rmdir, stat } from 'node:fs/promises';
import { realpathNative } from './fd.js';
import { dirname, resolve, sep } from 'node:path';
import { StorageError, errnoCode } from '../errors.js';

/**
 * A directory tree that paths must never resolve out of. Before touching a path, the real path
 * of its deepest existing ancestor is checked against the real path of the base, so a symlink
 * planted anywhere inside (a directory or a parent) cannot lead outside. The final component is
 * the caller's to open with O_NOFOLLOW.
 *
 * Node has no openat(2), so a local attacker who can swap a checked directory for a symlink
 * between this check and the open still wins that race; the check closes every other way.
 */
export class Jail {
  readonly base: string;
  readonly #dirMode: number;
  readonly #keySpace: boolean;
  #real: string | undefined;

  /** `keySpace`: paths here are named by keys, so a file/directory clash is a conflict with what is stored (`E_CONFLICT`). */
  constructor(base: string, options: { dirMode: number; keySpace: boolean }) {
    this.base = resolve(base);
    this.#dirMode = options.dirMode;
    this.#keySpace = options.keySpace;
  }

  async realBase(): Promise<string> {
    if (this.#real === undefined) {
      try {
        await makeBase(this.base, this.#dirMode);
        this.#real = await realpathNative(this.base);
      } catch (err) {
        throw new StorageError('E_MISCONFIGURED', 'the storage directory cannot be created or resolved', { cause: err });
      }
    }
    return this.#real;
  }

  /** `E_PATH_TRAVERSAL` if `dir` (or, where it is missing, its deepest existing ancestor) resolves outside the base. */
  async check(dir: string): Promise<void> {
    const real = await this.realBase();
    let current = dir;
    for (;;) {
      let resolved: string;
      try {
        resolved = await realpathNative(current);
      } catch (err) {
        const code = errnoCode(err);
        // A missing level, a file where a directory would be, or a name too long to exist at all:
        // what can be followed is the deepest ancestor that does exist.
        if ((code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') && current !== this.base) {
          current = dirname(current);
          continue;
        }
        if (code === 'ELOOP') throw new StorageError('E_PATH_TRAVERSAL', 'refusing to follow a symbolic link', { cause: err });
        throw err;
      }
      if (!isInside(real, resolved)) throw new StorageError('E_PATH_TRAVERSAL', 'key resolves outside the storage root');
      return;
    }
  }

  /**
   * Creates `dir` and its parents, checked before and after so nothing is created through a
   * symlink. ENOENT means a concurrent `prune` removed a level while it was being made: the
   * caller may simply try again.
   */
  async ensure(dir: string): Promise<void> {
    await this.check(dir);
    await this.#mkdirp(dir, false);
    await this.check(dir);
  }

  /**
   * `mkdir -p` with exact errors. Node's recursive mkdir reports ENOTDIR when a concurrent rmdir
   * removes a level under it, which is indistinguishable from a file in the way; here a file in
   * the way is EEXIST/ENOTDIR on a level that exists, and a vanished level is ENOENT.
   */
  async #mkdirp(dir: string, parentMade: boolean): Promise<void> {
    try {
      await mkdir(dir, { mode: this.#dirMode });
      return;
    } catch (err) {
      const code = errnoCode(err);
      // stat's own ENOENT (pruned again since mkdir) propagates for the caller to retry.
      if (code === 'EEXIST' && (await stat(dir)).isDirectory()) return;
      if (code === 'ENOENT' && !parentMade && dir !== this.base) {
        await this.#mkdirp(dirname(dir), false);
        return this.#mkdirp(dir, true);
      }
      if (this.#keySpace && (code === 'ENOTDIR' || code === 'EEXIST')) {
        throw new StorageError('E_CONFLICT', 'a file exists where this key needs a directory (a prefix of the key is itself a file key)', { cause: err });
      }
      throw err;
    }
  }

  /** Removes `dir` and then each parent while they are empty, stopping below the base. Best effort. */
  async prune(dir: string): Promise<void> {
    let current = resolve(dir);
    while (current !== this.base && isInside(this.base, current)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (another key, an in-flight temp file), already gone, or not ours to remove
      }
      current = dirname(current);
    }
  }
}

/**
 * `mkdir -p` for the root, one level at a time: Node's recursive mkdir never settles for a path
 * under a pseudo file system that refuses new entries (`/proc/x` answers ENOENT with the parent
 * present, and Node retries forever). Each missing level is tried once; the first error is thrown.
 */
async function makeBase(base: string, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let current = base; !(await stat(current).then(() => true, () => false)); current = dirname(current)) {
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir, { mode });
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
  }
  if (!(await stat(base)).isDirectory()) throw Object.assign(new Error('the storage root is not a directory'), { code: 'ENOTDIR' });
}

export function isInside(base: string, candidate: string): boolean {
  if (candidate === base) return true;
  return candidate.startsWith(base.endsWith(sep) ? base : base + sep);
}
