import { createHook } from 'node:async_hooks';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Disk } from '../src/disk.js';
import { LocalDriver } from '../src/local/local-driver.js';
import { collect, expectCode, sandbox } from './helpers.js';

let box: Awaited<ReturnType<typeof sandbox>>;
let driver: LocalDriver;
let disk: Disk;

beforeEach(async () => {
  box = await sandbox();
  driver = new LocalDriver({ root: box.root });
  disk = new Disk(driver);
  await disk.put('file.txt', 'x');
  await disk.put('x/y', 'y');
  await disk.put('..a', 'dots are only a name here');
  await disk.put('x/..b', 'and here');
  // Things a walk that left the root would find.
  await mkdir(join(box.dir, 'outside'));
  await writeFile(join(box.dir, 'outside', 'secret'), 'SECRET');
  await writeFile(join(box.dir, 'secret'), 'SECRET');
});
afterEach(() => box.cleanup());

const keys = async (iterable: AsyncIterable<{ key: string }>) => (await collect(iterable)).map((s) => s.key);

describe('list: a prefix that names a directory no key can live in lists nothing', () => {
  it.each([
    ['a segment past NAME_MAX', `${'a'.repeat(256)}/`],
    ['a nested segment past NAME_MAX', `x/${'a'.repeat(256)}/b/`],
    ['a segment of 200 two-byte characters', `${'\u00e9'.repeat(200)}/`],
    ['a partial last segment past NAME_MAX', `x/${'a'.repeat(300)}`],
    ['a path through a file', 'file.txt/'],
    ['a partial name under a file', 'file.txt/x'],
    ['a deeper path through a file', 'file.txt/x/y/'],
    ['a directory that does not exist', 'nope/deeper/'],
  ])('%s', async (_, prefix) => {
    expect(await keys(disk.list(prefix))).toEqual([]);
    expect(await keys(driver.list(prefix))).toEqual([]);
  });
});

describe('list: a prefix is a plain string filter and never moves the walk out of the root', () => {
  it('".." as the partial last segment only matches names that start with ".."', async () => {
    expect(await keys(disk.list('..'))).toEqual(['..a']);
    expect(await keys(disk.list('x/..'))).toEqual(['x/..b']);
  });

  it.each([
    ['../', 'E_PATH_TRAVERSAL'],
    ['x/../', 'E_PATH_TRAVERSAL'],
    ['x/../../', 'E_PATH_TRAVERSAL'],
    ['x/../x/', 'E_PATH_TRAVERSAL'],
    ['/etc/', 'E_PATH_TRAVERSAL'],
    ['x\\..\\', 'E_PATH_TRAVERSAL'],
    ['x//', 'E_INVALID_KEY'],
    ['a\u0001/', 'E_INVALID_KEY'],
    ['a\u0000', 'E_INVALID_KEY'],
  ] as const)('%j is %s from Disk and from the driver itself', async (prefix, code) => {
    await expectCode(collect(disk.list(prefix)), code);
    await expectCode(collect(driver.list(prefix)), code);
  });

  it('a symlink loop under the prefix is E_PATH_TRAVERSAL, not an I/O error', async () => {
    await symlink(join(box.root, 'loop'), join(box.root, 'loop'));
    await expectCode(collect(disk.list('loop/')), 'E_PATH_TRAVERSAL');
    await expectCode(collect(disk.list('loop/x/')), 'E_PATH_TRAVERSAL');
    expect(await keys(disk.list())).toEqual(['..a', 'file.txt', 'x/..b', 'x/y']);
  });
});

describe('list after a cursor starts at the cursor', () => {
  // '-' < '.' < '/' < '0' in UTF-8: the directory "a" (sorting as "a/") falls between "a.b" and "a0".
  const stored = ['a-b', 'a.b', 'a/x', 'a/y/z', 'a/y0', 'a0', 'b', 'z/z/z/z', '\u00e9/1'];

  it.each(['', 'a', 'a/'])('with prefix %j, from every position, yields exactly the keys after the cursor', async (prefix) => {
    await Promise.all(['file.txt', 'x/y', '..a', 'x/..b'].map((key) => disk.delete(key)));
    for (const key of stored) await disk.put(key, key);
    const all = [...stored].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))).filter((k) => k.startsWith(prefix));
    const cursors = [...stored, 'a', 'a/', 'a/y', 'a/y/', 'a/x0', 'a/y/zz', ' ', 'zzzz', '\u00e9', '\u00e9/', '\uffff'];
    for (const cursor of cursors) {
      const expected = all.filter((k) => Buffer.compare(Buffer.from(k), Buffer.from(cursor)) > 0);
      expect({ cursor, keys: await keys(driver.list(prefix, { startAfter: cursor })) }).toEqual({ cursor, keys: expected });
    }
  });

  it('a page costs the same number of file-system calls at the start, the middle and the end of 900 keys', async () => {
    const all: string[] = [];
    for (let d = 0; d < 30; d++) {
      const dir = join(box.root, 'big', `d${String(d).padStart(2, '0')}`);
      await mkdir(dir, { recursive: true });
      for (let f = 0; f < 30; f++) {
        const name = `f${String(f).padStart(2, '0')}`;
        await writeFile(join(dir, name), name);
        all.push(`big/d${String(d).padStart(2, '0')}/${name}`);
      }
    }
    const page = (cursor: string) => fsCalls(() => disk.listPage('big/', { cursor, limit: 10 }));
    await page(all[0]!); // resolves the root once
    const calls = [];
    for (const at of [5, 450, 880]) {
      const { result, count } = await page(all[at]!);
      expect(result.files.map((f) => f.key)).toEqual(all.slice(at + 1, at + 11));
      calls.push(count);
    }
    // Walking the whole tree up to the cursor would cost thousands of calls at 880.
    expect(Math.max(...calls), `calls per page at 5, 450, 880: ${calls}`).toBeLessThanOrEqual(Math.min(...calls) * 1.25);
  });
});

/** How many file-system requests `run` makes: every fs callback and promise call is one async resource. */
async function fsCalls<T>(run: () => Promise<T>): Promise<{ result: T; count: number }> {
  let count = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'FSREQCALLBACK' || type === 'FSREQPROMISE') count++;
    },
  }).enable();
  try {
    const result = await run();
    return { result, count };
  } finally {
    hook.disable();
  }
}
