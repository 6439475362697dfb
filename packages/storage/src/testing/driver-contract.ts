import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Disk } from '../disk.js';
import { StorageError, type StorageErrorCode } from '../errors.js';
import type { FileStat, StorageDriver } from '../types.js';

/** The two functions of a test runner the suite needs (vitest, node:test, mocha, jest all fit). */
export interface ContractRunner {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
}

export interface DriverFixture {
  driver: StorageDriver;
  cleanup?: () => Promise<void>;
}

const STRONG_ETAG = /^"[^"\s]+"$/;

/**
 * The behaviour every `StorageDriver` promises, as one suite each implementation runs:
 * `storageDriverContract({ describe, it }, async () => ({ driver, cleanup }))`. Each test gets a
 * fresh, empty driver from `setup`.
 */
export function storageDriverContract(runner: ContractRunner, setup: () => Promise<DriverFixture>): void {
  const { describe, it } = runner;
  const test = (name: string, fn: (driver: StorageDriver) => Promise<void>, timeoutMs?: number) =>
    it(name, async () => {
      const fixture = await setup();
      try {
        await fn(fixture.driver);
      } finally {
        await fixture.cleanup?.();
      }
    }, timeoutMs);

  describe('StorageDriver contract', () => {
    test('put then stat and getStream describe the same bytes (size, strong etag, content type)', async (driver) => {
      const { stat: put, created } = await driver.put('docs/a.txt', 'hello', { contentType: 'text/plain' });
      assert.equal(created, true);
      assert.equal(put.key, 'docs/a.txt');
      assert.equal(put.size, 5);
      assert.equal(put.contentType, 'text/plain');
      assert.match(put.etag, STRONG_ETAG);
      assert.ok(put.lastModified instanceof Date && !Number.isNaN(put.lastModified.getTime()));
      assert.deepEqual(await driver.stat('docs/a.txt'), put);
      const { stat, stream } = await driver.getStream('docs/a.txt');
      assert.deepEqual(stat, put);
      assert.equal((await readAll(stream)).toString(), 'hello');
    });

    test('accepts bytes, a Readable, an async iterable and an empty body', async (driver) => {
      await driver.put('bytes', new Uint8Array([1, 2, 3]), {});
      await driver.put('readable', Readable.from([Buffer.from('ab'), Buffer.from('cd')]), {});
      await driver.put('iterable', chunks(['x', 'y', 'z']), {});
      await driver.put('empty', '', {});
      assert.deepEqual([...(await read(driver, 'bytes'))], [1, 2, 3]);
      assert.equal((await read(driver, 'readable')).toString(), 'abcd');
      assert.equal((await read(driver, 'iterable')).toString(), 'xyz');
      assert.equal((await driver.stat('empty')).size, 0);
    });

    test('an overwrite replaces the content, changes the etag and says it replaced (RFC 9110 §9.3.4)', async (driver) => {
      const { stat: first, created: createdFirst } = await driver.put('k', 'one', {});
      const { stat: second, created: createdSecond } = await driver.put('k', 'two!', {});
      assert.equal(createdFirst, true);
      assert.equal(createdSecond, false);
      assert.notEqual(second.etag, first.etag);
      assert.equal((await read(driver, 'k')).toString(), 'two!');
      assert.equal((await driver.stat('k')).etag, second.etag);
    });

    test('stat and getStream of a missing key are E_NOT_FOUND', async (driver) => {
      await rejectsWith(driver.stat('missing.txt'), 'E_NOT_FOUND');
      await rejectsWith(driver.getStream('missing/deep/file.txt'), 'E_NOT_FOUND');
    });

    test('delete removes the file and is idempotent', async (driver) => {
      await driver.put('a/b/c.txt', 'x', {});
      await driver.delete('a/b/c.txt');
      await rejectsWith(driver.stat('a/b/c.txt'), 'E_NOT_FOUND');
      await driver.delete('a/b/c.txt');
      await driver.delete('never/existed');
      assert.deepEqual(await keys(driver, ''), []);
    });

    test('list yields every key with a plain string prefix, sorted by UTF-8 bytes', async (driver) => {
      const all = ['b.txt', 'a/x', 'a-b', 'a.txt', 'a0', 'photos/a.jpg', 'photos/2024/z.png', '日本.txt', 'z'];
      for (const key of all) await driver.put(key, key, {});
      const sorted = [...all].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      assert.deepEqual(await keys(driver, ''), sorted);
      assert.deepEqual(await keys(driver, 'ph'), ['photos/2024/z.png', 'photos/a.jpg']);
      assert.deepEqual(await keys(driver, 'photos/'), ['photos/2024/z.png', 'photos/a.jpg']);
      assert.deepEqual(await keys(driver, 'a'), ['a-b', 'a.txt', 'a/x', 'a0']);
      assert.deepEqual(await keys(driver, 'photos/2024/z.png'), ['photos/2024/z.png']);
      assert.deepEqual(await keys(driver, 'nothing'), []);
      const stats: FileStat[] = [];
      for await (const stat of driver.list('a.')) stats.push(stat);
      assert.deepEqual(stats, [await driver.stat('a.txt')]);
    });

    test('list order is UTF-8 byte order, not UTF-16 code unit order', async (driver) => {
      // UTF-16 puts U+1F4A9 (a surrogate pair, 0xD83D...) before U+FF0E; UTF-8 puts EF BC 8E before F0 9F 92 A9.
      for (const key of ['pg/\u{1F4A9}', 'pg/\uFF0E', 'pg/z']) await driver.put(key, key, {});
      assert.deepEqual(await keys(driver, 'pg/'), ['pg/z', 'pg/\uFF0E', 'pg/\u{1F4A9}']);
    });

    test('a prefix that no key can live under lists nothing (an over-long segment, a path through a file)', async (driver) => {
      await driver.put('file.txt', 'x', {});
      await driver.put('dir/a', 'x', {});
      for (const prefix of [`${'a'.repeat(256)}/`, `dir/${'a'.repeat(256)}/b/`, `${'\u00e9'.repeat(200)}/`, 'a'.repeat(300), 'file.txt/', 'file.txt/x', 'file.txt/x/y/']) {
        assert.deepEqual(await keys(driver, prefix), [], `prefix ${JSON.stringify(prefix.slice(0, 20))}`);
      }
    });

    test('a streamed body over maxBytes is E_TOO_LARGE and the original stays', async (driver) => {
      await driver.put('doc.txt', 'ORIGINAL', {});
      await rejectsWith(driver.put('doc.txt', chunks(['12345', '67890']), { maxBytes: 8 }), 'E_TOO_LARGE');
      await rejectsWith(driver.put('new.txt', chunks(['123456789']), { maxBytes: 8 }), 'E_TOO_LARGE');
      assert.equal((await read(driver, 'doc.txt')).toString(), 'ORIGINAL');
      assert.deepEqual(await keys(driver, ''), ['doc.txt']);
      await driver.put('exact.txt', chunks(['1234', '5678']), { maxBytes: 8 });
    });

    test('a source that fails mid-way rejects and the original stays', async (driver) => {
      await driver.put('doc.txt', 'ORIGINAL', {});
      await assert.rejects(driver.put('doc.txt', failingAfter(3), {}));
      assert.equal((await read(driver, 'doc.txt')).toString(), 'ORIGINAL');
      assert.deepEqual(await keys(driver, ''), ['doc.txt']);
    });

    test('ten concurrent writes to one key leave exactly one of the bodies, whole', async (driver) => {
      const bodies = Array.from({ length: 10 }, (_, i) => String(i).repeat(50_000 + i));
      await Promise.all(bodies.map((body) => driver.put('race.txt', chunks(split(body, 7)), {})));
      const content = (await read(driver, 'race.txt')).toString();
      assert.ok(bodies.includes(content), 'the file is one of the bodies, not a mix');
      assert.equal((await driver.stat('race.txt')).size, Buffer.byteLength(content));
      assert.deepEqual(await keys(driver, ''), ['race.txt']);
    });
  });

  describe('Disk over the driver', () => {
    test('keys with reserved and non-ASCII characters put, list, read and copy intact', async (driver) => {
      const disk = new Disk(driver);
      for (const key of SPECIAL_KEYS) await disk.put(`sp/${key}`, `body of ${key}`);
      const sorted = SPECIAL_KEYS.map((k) => `sp/${k}`).sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      assert.deepEqual(await diskKeys(disk, 'sp/'), sorted);
      for (const key of SPECIAL_KEYS) {
        assert.equal((await disk.get(`sp/${key}`)).toString(), `body of ${key}`, key);
        await disk.copy(`sp/${key}`, `copy/${key}`);
        assert.equal((await disk.get(`copy/${key}`)).toString(), `body of ${key}`, `copy of ${key}`);
      }
    });

    test('keys, prefixes and cursors with Unicode noncharacters are E_INVALID_KEY and never reach the store', async (driver) => {
      const disk = new Disk(driver);
      await disk.put('nc/ok.txt', 'x');
      for (const bad of ['nc/\uffff', 'nc/\ufffe.txt', 'nc/a\ufdd0', 'nc/\u{10ffff}']) {
        await rejectsWith(disk.put(bad, 'x'), 'E_INVALID_KEY');
        await rejectsWith(disk.listPage(bad), 'E_INVALID_KEY');
        await rejectsWith(disk.listPage('nc/', { cursor: bad }), 'E_INVALID_KEY');
      }
      await rejectsWith(disk.listPage('nc/', { cursor: 'nc/\ud800' }), 'E_INVALID_KEY');
      assert.deepEqual((await disk.listPage('nc/')).files.map((f) => f.key), ['nc/ok.txt']);
    });

    test('user metadata comes back from stat, getStream, list and a copy; bad metadata is a TypeError', async (driver) => {
      const disk = new Disk(driver);
      const metadata = { 'uploaded-by': 'user 42', origin: 'https://example.test/a?b=c', empty: '' };
      const put = await disk.put('m/doc.txt', 'x', { metadata });
      assert.deepEqual(put.metadata, metadata);
      assert.deepEqual((await disk.stat('m/doc.txt')).metadata, metadata);
      const { stat, stream } = await disk.getStream('m/doc.txt');
      await readAll(stream);
      assert.deepEqual(stat.metadata, metadata);
      const listed: FileStat[] = [];
      for await (const s of disk.list('m/')) listed.push(s);
      assert.deepEqual(listed.map((s) => s.metadata), [metadata]);
      assert.deepEqual((await disk.copy('m/doc.txt', 'm/copy.txt')).metadata, metadata);
      assert.deepEqual((await disk.put('m/plain.txt', 'y')).metadata, {});
      const bads: Record<string, string>[] = [{ Upper: 'x' }, { 'a b': 'x' }, { ok: 'caf\u00e9' }, { ok: 'line\nbreak' }, { big: 'x'.repeat(2100) }];
      for (const bad of bads) {
        await assert.rejects(disk.put('m/bad.txt', 'z', { metadata: bad }), TypeError, JSON.stringify(bad).slice(0, 40));
      }
      assert.equal(await disk.exists('m/bad.txt'), false);
    });

    test('getStream with a byte range yields exactly those bytes; past the end is E_RANGE_NOT_SATISFIABLE', async (driver) => {
      const disk = new Disk(driver);
      await disk.put('r.bin', '0123456789');
      const read = async (range: { start: number; end?: number }) => {
        const { stat, stream, range: resolved } = await disk.getStream('r.bin', { range });
        assert.equal(stat.size, 10);
        return { text: (await readAll(stream)).toString(), resolved };
      };
      assert.deepEqual(await read({ start: 2, end: 4 }), { text: '234', resolved: { start: 2, end: 4 } });
      assert.deepEqual(await read({ start: 7 }), { text: '789', resolved: { start: 7, end: 9 } });
      assert.deepEqual(await read({ start: 9, end: 100 }), { text: '9', resolved: { start: 9, end: 9 } });
      await rejectsWith(disk.getStream('r.bin', { range: { start: 10 } }), 'E_RANGE_NOT_SATISFIABLE');
      await rejectsWith(disk.getStream('missing', { range: { start: 0 } }), 'E_NOT_FOUND');
    });

    test('copy and move keep content and type; a missing source is E_NOT_FOUND', async (driver) => {
      const disk = new Disk(driver);
      await disk.put('from.txt', 'payload', { contentType: 'text/plain' });
      const copied = await disk.copy('from.txt', 'dir/to.txt');
      assert.equal(copied.key, 'dir/to.txt');
      assert.equal(copied.size, 7);
      assert.equal(copied.contentType, 'text/plain');
      assert.equal((await disk.get('dir/to.txt')).toString(), 'payload');
      await disk.move('dir/to.txt', 'moved.txt');
      assert.equal(await disk.exists('dir/to.txt'), false);
      assert.equal((await disk.get('moved.txt')).toString(), 'payload');
      await rejectsWith(disk.copy('nope.txt', 'x.txt'), 'E_NOT_FOUND');
      assert.equal(await disk.exists('x.txt'), false);
    });

    test('deleteAll removes every key under the prefix and nothing else', async (driver) => {
      const disk = new Disk(driver);
      for (const key of ['tmp/a', 'tmp/b/c', 'tmp-keep', 'keep/tmp/x']) await disk.put(key, 'x');
      assert.deepEqual(await disk.deleteAll('tmp/'), { deleted: 2, failed: [] });
      assert.deepEqual(await diskKeys(disk, ''), ['keep/tmp/x', 'tmp-keep']);
      assert.deepEqual(await disk.deleteAll('nothing/'), { deleted: 0, failed: [] });
    });

    test('more than 1000 keys: list yields all, pages of at most 1000 with a cursor, deleteAll in batches', async (driver) => {
      const disk = new Disk(driver);
      const all = Array.from({ length: 1005 }, (_, i) => `list/${String(i).padStart(4, '0')}`);
      await inBatches(all, 32, (key) => disk.put(key, key));
      assert.deepEqual(await diskKeys(disk, 'list/'), all);
      const first = await disk.listPage('list/');
      assert.equal(first.files.length, 1000);
      assert.equal(first.cursor, all[999]);
      const second = await disk.listPage('list/', { cursor: first.cursor! });
      assert.deepEqual(second.files.map((f) => f.key), all.slice(1000));
      assert.equal(second.cursor, null);
      const small = await disk.listPage('list/', { cursor: all[2]!, limit: 2 });
      assert.deepEqual(small.files.map((f) => f.key), all.slice(3, 5));
      assert.equal(small.cursor, all[4]);
      assert.deepEqual(await disk.deleteAll('list/'), { deleted: 1005, failed: [] });
      assert.deepEqual(await diskKeys(disk, 'list/'), []);
    }, 180_000); // 2000+ requests against a remote store

    test('RFC 9110 §13.1 through Disk: a failed precondition is E_PRECONDITION_FAILED and changes nothing', async (driver) => {
      const disk = new Disk(driver);
      const v1 = await disk.put('cond.txt', 'v1');
      await rejectsWith(disk.put('cond.txt', 'v2', { precondition: { ifNoneMatch: '*' } }), 'E_PRECONDITION_FAILED');
      await rejectsWith(disk.put('cond.txt', chunks(['v', '2']), { precondition: { ifMatch: ['"stale"'] } }), 'E_PRECONDITION_FAILED');
      await rejectsWith(disk.delete('cond.txt', { precondition: { ifMatch: ['"stale"'] } }), 'E_PRECONDITION_FAILED');
      await rejectsWith(disk.put('absent.txt', 'x', { precondition: { ifMatch: '*' } }), 'E_PRECONDITION_FAILED');
      assert.equal((await read(driver, 'cond.txt')).toString(), 'v1');
      await assert.rejects(driver.stat('absent.txt'));
      const v2 = await disk.put('cond.txt', 'v2', { precondition: { ifMatch: [v1.etag] } });
      await disk.put('new.txt', 'n', { precondition: { ifNoneMatch: '*' } });
      await disk.delete('cond.txt', { precondition: { ifMatch: [v2.etag] } });
      await assert.rejects(driver.stat('cond.txt'));
    });
  });
}

/** Keys real stores got wrong: each segment must be encoded as a whole (`+` is not a space, `?` and `#` are not URL syntax). */
export const SPECIAL_KEYS: readonly string[] = [
  'a b.txt', 'a+b.txt', 'c++/x', "it's(1)*!.txt", 'q?x=1#h.txt', '100%.txt', '\u00fcn\u00ef-\u65e5\u672c.txt', 'r\u00e9sum\u00e9.pdf', 'file#1.txt',
  'a?expires=9999999999&x=.txt',
];

async function diskKeys(disk: Disk, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const stat of disk.list(prefix)) out.push(stat.key);
  return out;
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function rejectsWith(promise: Promise<unknown>, code: StorageErrorCode): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof StorageError, `expected a StorageError ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

async function read(driver: StorageDriver, key: string): Promise<Buffer> {
  return readAll((await driver.getStream(key)).stream);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

async function keys(driver: StorageDriver, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const stat of driver.list(prefix)) out.push(stat.key);
  return out;
}

async function* chunks(parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    await new Promise((resolve) => setImmediate(resolve));
    yield Buffer.from(part);
  }
}

async function* failingAfter(count: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) yield Buffer.from('partial ');
  throw new Error('client went away');
}

function split(text: string, parts: number): string[] {
  const size = Math.ceil(text.length / parts);
  return Array.from({ length: parts }, (_, i) => text.slice(i * size, (i + 1) * size));
}
