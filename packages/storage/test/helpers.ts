import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { StorageError, type StorageErrorCode } from '../src/errors.js';

/** A fresh directory under the OS temp dir; `root` is where a LocalDriver keeps files. */
export async function sandbox(): Promise<{ dir: string; root: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tsforge-storage-'));
  return { dir, root: join(dir, 'storage'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every path under `dir`, relative, sorted: the whole tree, hidden and temp files included. */
export async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function visit(current: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      out.push(relative(dir, path) + (entry.isDirectory() ? '/' : ''));
      if (entry.isDirectory()) await visit(path);
    }
  }
  await visit(dir);
  return out.sort();
}

export async function expectCode(promise: Promise<unknown> | (() => unknown), code: StorageErrorCode): Promise<StorageError> {
  let caught: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(StorageError);
  expect((caught as StorageError).code).toBe(code);
  return caught as StorageError;
}

export async function* chunks(parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    await new Promise((resolve) => setImmediate(resolve));
    yield typeof part === 'string' ? Buffer.from(part) : part;
  }
}

export async function* failingAfter(parts: string[], error = new Error('upload aborted')): AsyncGenerator<Uint8Array> {
  yield* chunks(parts);
  throw error;
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
