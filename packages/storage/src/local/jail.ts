import { mkdir, realpath, rmdir } from 'node:fs/promises';
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

  /** `keySpace`: paths here are named by keys, so a file/directory clash is the key's fault (`E_INVALID_KEY`). */
  constructor(base: string, options: { dirMode: number; keySpace: boolean }) {
    this.base = resolve(base);
    this.#dirMode = options.dirMode;
    this.#keySpace = options.keySpace;
  }

  async realBase(): Promise<string> {
    if (this.#real === undefined) {
      try {
        await mkdir(this.base, { recursive: true, mode: this.#dirMode });
        this.#real = await realpath(this.base);
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
        resolved = await realpath(current);
      } catch (err) {
        const code = errnoCode(err);
        if ((code === 'ENOENT' || code === 'ENOTDIR') && current !== this.base) {
          current = dirname(current);
          continue;
        }
        throw err;
      }
      if (!isInside(real, resolved)) throw new StorageError('E_PATH_TRAVERSAL', 'key resolves outside the storage root');
      return;
    }
  }

  /** Creates `dir` and its parents, checked before and after so nothing is created through a symlink. */
  async ensure(dir: string): Promise<void> {
    await this.check(dir);
    try {
      await mkdir(dir, { recursive: true, mode: this.#dirMode });
    } catch (err) {
      const code = errnoCode(err);
      if (this.#keySpace && (code === 'ENOTDIR' || code === 'EEXIST')) {
        throw new StorageError('E_INVALID_KEY', 'key conflicts with an existing file: a parent segment is a file');
      }
      throw err;
    }
    await this.check(dir);
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

export function isInside(base: string, candidate: string): boolean {
  if (candidate === base) return true;
  return candidate.startsWith(base.endsWith(sep) ? base : base + sep);
}
