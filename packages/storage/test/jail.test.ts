import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errnoCode, StorageError } from '../src/errors.js';
import { Jail } from '../src/local/jail.js';
import { expectCode, sandbox } from './helpers.js';

let box: Awaited<ReturnType<typeof sandbox>>;
let jail: Jail;

beforeEach(async () => {
  box = await sandbox();
  jail = new Jail(box.root, { dirMode: 0o755, keySpace: true });
  await jail.realBase();
});
afterEach(() => box.cleanup());

const codeOf = (err: unknown) => (err instanceof StorageError ? err.code : errnoCode(err));

describe('Jail.ensure racing Jail.prune', () => {
  it('fails, if at all, only with ENOENT (the caller retries), never as a key conflict', async () => {
    const codes = new Map<string, number>();
    for (let round = 0; round < 1000; round++) {
      const results = await Promise.allSettled([
        jail.ensure(join(box.root, 'a', 'b', 'c')),
        jail.prune(join(box.root, 'a', 'b', 'c')),
        jail.ensure(join(box.root, 'a', 'b', 'd')),
        jail.prune(join(box.root, 'a', 'b', 'd')),
      ]);
      for (const result of results) {
        if (result.status === 'rejected') codes.set(String(codeOf(result.reason)), (codes.get(String(codeOf(result.reason))) ?? 0) + 1);
      }
    }
    codes.delete('ENOENT');
    expect(Object.fromEntries(codes)).toEqual({});
  }, 60_000);

  it('still reports a file in the way as E_CONFLICT (409), at any depth', async () => {
    await mkdir(join(box.root, 'dir'));
    await writeFile(join(box.root, 'dir', 'file'), 'x');
    await expectCode(jail.ensure(join(box.root, 'dir', 'file')), 'E_CONFLICT');
    await expectCode(jail.ensure(join(box.root, 'dir', 'file', 'sub')), 'E_CONFLICT');
    await expectCode(jail.ensure(join(box.root, 'dir', 'file', 'sub', 'deeper')), 'E_CONFLICT');
  });

  it('creates every missing level, and accepts levels that already exist', async () => {
    await jail.ensure(join(box.root, 'p', 'q', 'r'));
    await jail.ensure(join(box.root, 'p', 'q', 'r'));
    await jail.ensure(join(box.root, 'p'));
    await jail.ensure(box.root);
    await writeFile(join(box.root, 'p', 'q', 'r', 'f'), 'ok');
  });
});
