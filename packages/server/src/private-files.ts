import { closeSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Creates `path` empty with mode 0600 unless it exists. SQLite opens an existing file as it is
 * and gives its `-wal` and `-shm` files the database file's mode, so creating it first keeps all
 * three private (an empty file is a valid empty database).
 */
export function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

export interface ExposedPath {
  path: string;
  /** The permission bits, octal, e.g. `0644`. */
  mode: string;
}

/**
 * The data dir and its sensitive files where group or others have any access. They are reported,
 * never changed: the operator may have reasons (a backup group), and a chmod behind their back
 * would be a surprise.
 */
export function exposedDataFiles(dataDir: string, files: readonly string[]): ExposedPath[] {
  if (process.platform === 'win32') return []; // no POSIX modes
  const exposed: ExposedPath[] = [];
  for (const path of [dataDir, ...files.map((name) => join(dataDir, name))]) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue; // -wal and -shm exist only while a connection is open
    }
    if ((mode & 0o077) !== 0) exposed.push({ path, mode: `0${mode.toString(8)}` });
  }
  return exposed;
}

/**
 * A shared secret file (`TSFORGE_SECRET_FILE`) that others can read. Group access is the
 * deploy guide's own layout (root:tsforge 0640), so only the "others" bits count.
 */
export function worldReadable(path: string): ExposedPath | undefined {
  if (process.platform === 'win32') return undefined;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return undefined; // reading it already failed loudly, or it is gone: nothing to add
  }
  return (mode & 0o007) !== 0 ? { path, mode: `0${mode.toString(8)}` } : undefined;
}
