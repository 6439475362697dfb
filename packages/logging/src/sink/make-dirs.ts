import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`, one level at a time. Node's own `mkdirSync(dir, { recursive: true })` never returns
 * for a path under a pseudo file system that refuses new entries (`/proc/x`: mkdir says ENOENT
 * although the parent exists, and Node retries forever); here each missing level is tried once
 * and the first error is thrown.
 */
export function makeDirs(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let current = resolve(dir); !existsSync(current); current = dirname(current)) {
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path, mode === undefined ? {} : { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
