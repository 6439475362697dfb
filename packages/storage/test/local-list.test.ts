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
