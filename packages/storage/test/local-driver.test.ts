import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Disk } from '../src/disk.js';
import { LocalDriver } from '../src/local/local-driver.js';
import { UrlSigner } from '../src/url-signer.js';
import { chunks, collect, expectCode, failingAfter, sandbox, tree } from './helpers.js';

let box: Awaited<ReturnType<typeof sandbox>>;
let disk: Disk;
let driver: LocalDriver;

beforeEach(async () => {
  box = await sandbox();
  driver = new LocalDriver({ root: box.root });
  disk = new Disk(driver, { signer: new UrlSigner({ secret: new Uint8Array(32) }), signedUrlBase: 'http://127.0.0.1:3000/files' });
});
afterEach(() => box.cleanup());

const metaRoot = () => join(box.dir, '.storage-meta');
// What a restarted process sees: the same files, no metadata cache.
const coldDisk = () => new Disk(new LocalDriver({ root: box.root }));
const debris = async () => (await tree(box.dir)).filter((p) => p.endsWith('.tmp'));
const sha = (data: string | Buffer) => `"${createHash('sha256').update(data).digest('hex').slice(0, 32)}"`;

describe('keys that could escape the root are refused before any I/O', () => {
  it.each([
    ['../../etc/x', 'E_PATH_TRAVERSAL'],
    ['a/../../x', 'E_PATH_TRAVERSAL'],
    ['..\\x', 'E_PATH_TRAVERSAL'],
    ['/etc/passwd', 'E_PATH_TRAVERSAL'],
    ['a\0b', 'E_INVALID_KEY'],
    ['a//b', 'E_INVALID_KEY'],
    ['a/./b', 'E_INVALID_KEY'],
    ['', 'E_INVALID_KEY'],
    ['a/', 'E_INVALID_KEY'],
    ['a\x01b', 'E_INVALID_KEY'],
    ['a\u0085b', 'E_INVALID_KEY'],
    ['k'.repeat(1025), 'E_INVALID_KEY'],
  ] as const)('%j is %s for every operation, and nothing is created anywhere', async (key, code) => {
    await expectCode(disk.put(key, 'evil'), code);
    await expectCode(disk.put(key, chunks(['evil'])), code);
    await expectCode(disk.get(key), code);
    await expectCode(disk.getStream(key), code);
    await expectCode(disk.stat(key), code);
    await expectCode(disk.exists(key), code);
    await expectCode(disk.delete(key), code);
    await expectCode(disk.signedUrl(key, { expiresIn: 60 }), code);
    expect(await tree(box.dir)).toEqual([]);
    expect(existsSync(join(tmpdir(), 'etc', 'x'))).toBe(false);
  });
});

describe('any other UTF-8 key round-trips', () => {
  const welcome = ['résumé.pdf', '日本.txt', 'a+b.txt', 'a b.txt', 'file#1.txt', 'a?expires=9999999999&x=.txt', 'nested/folder/photo.jpg', "it's(1)*!.txt", '100%.txt'];

  it('put, get, stat, list and delete work for each, stored under the same name on disk', async () => {
    for (const key of welcome) {
      const stat = await disk.put(key, `content of ${key}`, { contentType: 'text/plain; charset=utf-8' });
      expect(stat).toMatchObject({ key, size: Buffer.byteLength(`content of ${key}`), etag: sha(`content of ${key}`) });
      expect(await readFile(join(box.root, ...key.split('/')), 'utf8')).toBe(`content of ${key}`);
    }
    for (const key of welcome) {
      expect((await disk.get(key)).toString()).toBe(`content of ${key}`);
      expect(await disk.stat(key)).toMatchObject({ key, contentType: 'text/plain; charset=utf-8', etag: sha(`content of ${key}`) });
      expect(await disk.exists(key)).toBe(true);
    }
    const listed = (await collect(disk.list())).map((s) => s.key);
    expect(listed).toEqual([...welcome].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    for (const key of welcome) await disk.delete(key);
    expect(await collect(disk.list())).toEqual([]);
    expect(await tree(box.root)).toEqual([]);
  });

  it('a decomposed (NFD) spelling reaches the NFC file', async () => {
    await disk.put('résumé.pdf', 'cv');
    expect((await disk.get('re\u0301sume\u0301.pdf')).toString()).toBe('cv');
  });
});

describe('layout: files at <root>/<key>, sidecars outside the key space', () => {
  it('defaults metaRoot to .<basename>-meta beside root, with .d directories and .json files', async () => {
    const put = await disk.put('nested/folder/photo.jpg', 'jpeg bytes', { contentType: 'image/jpeg' });
    expect(driver.metaRoot).toBe(metaRoot());
    expect(await readFile(join(box.root, 'nested', 'folder', 'photo.jpg'), 'utf8')).toBe('jpeg bytes');
    const sidecar = JSON.parse(await readFile(join(metaRoot(), 'nested.d', 'folder.d', 'photo.jpg.json'), 'utf8'));
    const real = await stat(join(box.root, 'nested', 'folder', 'photo.jpg'));
    expect(sidecar).toEqual({ v: 1, contentType: 'image/jpeg', etag: put.etag, size: 10, mtimeMs: real.mtimeMs, ino: real.ino });
  });

  it('keys "a" and "a.json/x" keep separate sidecars (no collision in the meta tree)', async () => {
    await disk.put('a', 'A', { contentType: 'text/plain' });
    await disk.put('a.json/x', 'X', { contentType: 'image/png' });
    expect((await disk.stat('a')).contentType).toBe('text/plain');
    expect((await disk.stat('a.json/x')).contentType).toBe('image/png');
  });

  it('refuses a metaRoot that overlaps root', () => {
    expect(() => new LocalDriver({ root: box.root, metaRoot: join(box.root, '.meta') })).toThrow(TypeError);
    expect(() => new LocalDriver({ root: join(box.dir, 'm', 'data'), metaRoot: join(box.dir, 'm') })).toThrow(TypeError);
    expect(() => new LocalDriver({ root: box.root, metaRoot: box.root })).toThrow(TypeError);
  });
});

describe('sidecar that does not describe the file on disk falls back safely', () => {
  it('a missing sidecar gives application/octet-stream and a strong etag from inode, size and mtime', async () => {
    await disk.put('doc.txt', 'hello', { contentType: 'text/plain' });
    await writeFile(join(metaRoot(), 'doc.txt.json'), '');
    const cold = coldDisk();
    const fallback = await cold.stat('doc.txt');
    expect(fallback.contentType).toBe('application/octet-stream');
    expect(fallback.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(fallback.etag).not.toBe(sha('hello'));
    const { stat: streamed, stream } = await cold.getStream('doc.txt');
    (stream as Readable).destroy();
    expect(streamed).toEqual(fallback);
  });

  it('a sidecar left by another writer (a crash between the two renames) is ignored, not trusted', async () => {
    await disk.put('doc.txt', 'AAAA', { contentType: 'text/plain' });
    const stale = await readFile(join(metaRoot(), 'doc.txt.json'));
    await disk.put('doc.txt', 'BBBB', { contentType: 'image/png' });
    await writeFile(join(metaRoot(), 'doc.txt.json'), stale); // same size, but another inode
    const now = await coldDisk().stat('doc.txt');
    expect(now.etag).not.toBe(sha('AAAA'));
    expect(now.contentType).toBe('application/octet-stream');
  });

  it('a crash between the sidecar rename and the data rename leaves the old bytes described by `previous`', async () => {
    await disk.put('doc.txt', 'AAAA', { contentType: 'text/plain', metadata: { n: '1' } });
    const path = join(metaRoot(), 'doc.txt.json');
    const before = JSON.parse(await readFile(path, 'utf8'));
    const { v, ...record } = before;
    // What a put that died before its data rename leaves: a record of bytes that never landed.
    await writeFile(path, JSON.stringify({ v, contentType: 'image/png', etag: sha('NEW'), size: 3, mtimeMs: 1, ino: 1, previous: record }));
    expect(await coldDisk().stat('doc.txt')).toMatchObject({ contentType: 'text/plain', etag: sha('AAAA'), metadata: { n: '1' } });
  });

  it('a put records the version it replaces, one step back only', async () => {
    await disk.put('doc.txt', 'AAAA', { contentType: 'text/plain' });
    const first = JSON.parse(await readFile(join(metaRoot(), 'doc.txt.json'), 'utf8'));
    await disk.put('doc.txt', 'BBBBB', { contentType: 'image/png' });
    const second = JSON.parse(await readFile(join(metaRoot(), 'doc.txt.json'), 'utf8'));
    const { v: _, ...firstVersion } = first;
    expect(second).toMatchObject({ v: 1, contentType: 'image/png', size: 5, previous: firstVersion });
    await disk.put('doc.txt', 'CC', { contentType: 'text/csv' });
    const third = JSON.parse(await readFile(join(metaRoot(), 'doc.txt.json'), 'utf8'));
    expect(third.previous).toMatchObject({ contentType: 'image/png', size: 5 });
    expect(third.previous.previous).toBeUndefined();
  });

  it('the largest metadata (2 KiB of the names that escape longest in JSON) survives two puts and a cold read', async () => {
    const names = [...'abcdefghijklmnopqrstuvwxyz0123456789'].flatMap((a) => [...'abcdefghijklmnopqrstuvwxyz0123456789-'].map((b) => a + b));
    const metadata = Object.fromEntries(names.slice(0, 1024).map((name) => [name, '']));
    await disk.put('doc.txt', 'AAAA', { contentType: 'text/plain', metadata });
    await disk.put('doc.txt', 'BBBB', { contentType: 'text/plain', metadata });
    expect((await readFile(join(metaRoot(), 'doc.txt.json'))).byteLength).toBeGreaterThan(16_384);
    expect((await coldDisk().stat('doc.txt')).metadata).toEqual(metadata);
  });

  it('a tampered sidecar cannot inject header values', async () => {
    await disk.put('doc.txt', 'hello', { contentType: 'text/plain' });
    const path = join(metaRoot(), 'doc.txt.json');
    const sidecar = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...sidecar, contentType: 'text/html\r\nSet-Cookie: x=1' }));
    expect((await coldDisk().stat('doc.txt')).contentType).toBe('application/octet-stream');
    await writeFile(path, JSON.stringify({ ...sidecar, etag: '"x"\r\nX: y' }));
    expect((await coldDisk().stat('doc.txt')).etag).toMatch(/^"[0-9a-f]{32}"$/);
  });
});

describe('metadata cache', () => {
  it('serves a file version\'s metadata from memory without reading its sidecar again', async () => {
    await disk.put('doc.txt', 'hello', { contentType: 'text/plain' });
    await writeFile(join(metaRoot(), 'doc.txt.json'), ''); // only a cache hit can still know the type
    expect(await disk.stat('doc.txt')).toMatchObject({ contentType: 'text/plain', etag: sha('hello') });
    const uncached = new Disk(new LocalDriver({ root: box.root, metadataCacheSize: 0 }));
    await uncached.put('other.txt', 'x', { contentType: 'text/plain' });
    await writeFile(join(metaRoot(), 'other.txt.json'), '');
    expect((await uncached.stat('other.txt')).contentType).toBe('application/octet-stream');
  });

  it('never serves a stale entry: a rewrite by another process is a new version', async () => {
    await disk.put('doc.txt', 'AAAA', { contentType: 'text/plain' });
    expect((await disk.stat('doc.txt')).contentType).toBe('text/plain');
    await coldDisk().put('doc.txt', 'BBBB', { contentType: 'image/png' });
    expect(await disk.stat('doc.txt')).toMatchObject({ contentType: 'image/png', etag: sha('BBBB') });
    const { stat: streamed, stream } = await disk.getStream('doc.txt');
    (stream as Readable).destroy();
    expect(streamed).toMatchObject({ contentType: 'image/png', etag: sha('BBBB') });
  });

  it('stays within its capacity', async () => {
    const small = new Disk(new LocalDriver({ root: box.root, metadataCacheSize: 2 }));
    for (const key of ['a', 'b', 'c']) await small.put(key, key, { contentType: 'text/plain' });
    for (const key of ['a', 'b', 'c']) await writeFile(join(metaRoot(), `${key}.json`), '');
    // 'a' was evicted when 'c' arrived; 'b' and 'c' are still known.
    expect((await small.stat('a')).contentType).toBe('application/octet-stream');
    expect((await small.stat('c')).contentType).toBe('text/plain');
  });
});

describe('atomic writes: readers see the old file or the new one, whole', () => {
  it('a streamed overwrite whose source errors mid-way rejects, keeps ORIGINAL and leaves no temp file', async () => {
    await disk.put('doc.txt', 'ORIGINAL');
    await expect(disk.put('doc.txt', failingAfter(['NEW', 'CONTENT', 'PARTIAL']))).rejects.toMatchObject({ code: 'E_IO' });
    expect((await disk.get('doc.txt')).toString()).toBe('ORIGINAL');
    expect(await readdir(box.root)).toEqual(['doc.txt']);
    expect(await debris()).toEqual([]);
    expect((await disk.stat('doc.txt')).etag).toBe(sha('ORIGINAL'));
  });

  it('a Readable that is destroyed mid-way (client abort) rejects the same way', async () => {
    await disk.put('doc.txt', 'ORIGINAL');
    let reads = 0;
    const source = new Readable({ read() { if (++reads === 1) this.push('partial'); else this.destroy(new Error('aborted')); } });
    await expect(disk.put('doc.txt', source)).rejects.toMatchObject({ code: 'E_IO' });
    expect((await disk.get('doc.txt')).toString()).toBe('ORIGINAL');
    expect(await debris()).toEqual([]);
  });

  it('a Readable destroyed before the driver reads it rejects the put, never an uncaught error', async () => {
    await disk.put('doc.txt', 'ORIGINAL');
    const source = new Readable({ read() {} });
    const put = disk.put('doc.txt', source);
    source.destroy(new Error('aborted'));
    await expect(put).rejects.toMatchObject({ code: 'E_IO' });
    expect((await disk.get('doc.txt')).toString()).toBe('ORIGINAL');
    expect(await debris()).toEqual([]);
  });

  it('ten concurrent writes of different bodies leave exactly one of them, whole, with its own content type and etag', async () => {
    const bodies = Array.from({ length: 10 }, (_, i) => String.fromCharCode(65 + i).repeat(200_000 + i));
    await Promise.all(bodies.map((body) => disk.put('doc.txt', chunks([body.slice(0, 70_000), body.slice(70_000)]), { contentType: 'text/plain' })));
    const content = (await disk.get('doc.txt')).toString();
    expect(bodies.filter((b) => b === content)).toHaveLength(1);
    // Commits take turns per key, so the winner's sidecar is the one beside its data.
    expect(await disk.stat('doc.txt')).toMatchObject({ size: content.length, contentType: 'text/plain', etag: sha(content) });
    expect(await debris()).toEqual([]);
  });

  it('maxBytes exceeded is E_TOO_LARGE (413): the original stays and nothing is left behind', async () => {
    await disk.put('doc.txt', 'ORIGINAL');
    const before = await tree(box.dir);
    const err = await expectCode(disk.put('doc.txt', chunks(['0123456789', 'abcdef']), { maxBytes: 12 }), 'E_TOO_LARGE');
    expect(err.status).toBe(413);
    await expectCode(disk.put('new/dir/big.bin', chunks(['0123456789', 'abcdef']), { maxBytes: 12 }), 'E_TOO_LARGE');
    await expectCode(disk.put('doc.txt', 'x'.repeat(13), { maxBytes: 12 }), 'E_TOO_LARGE');
    expect((await disk.get('doc.txt')).toString()).toBe('ORIGINAL');
    expect(await tree(box.dir)).toEqual(before);
  });

  it('E_TOO_LARGE leaves the caller\'s Readable open, so a server can still answer 413 on its socket', async () => {
    const source = new Readable({ read() {} });
    source.push('0123456789');
    source.push('abcdef');
    await expectCode(disk.put('doc.txt', source, { maxBytes: 12 }), 'E_TOO_LARGE');
    expect(source.destroyed).toBe(false);
    source.destroy();
    expect(await debris()).toEqual([]);
  });

  it('a 50 MB generated stream is written without buffering it in memory', async () => {
    const chunk = Buffer.alloc(1 << 20, 0x61);
    const total = 50;
    const hash = createHash('sha256');
    for (let i = 0; i < total; i++) hash.update(chunk);
    let peak = 0;
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < total; i++) {
          peak = Math.max(peak, process.memoryUsage().arrayBuffers);
          yield chunk;
        }
      })(),
    );
    const baseline = process.memoryUsage().arrayBuffers;
    const put = await disk.put('big.bin', source);
    expect(put.size).toBe(total << 20);
    expect(put.etag).toBe(`"${hash.digest('hex').slice(0, 32)}"`);
    expect((await stat(join(box.root, 'big.bin'))).size).toBe(total << 20);
    expect(peak - baseline).toBeLessThan(20 << 20);
  });
});

describe('directories', () => {
  it('are created as needed and pruned on delete up to, not including, root', async () => {
    await disk.put('a/b/c/d.txt', 'x');
    await disk.put('a/keep.txt', 'y');
    await disk.delete('a/b/c/d.txt');
    expect(await tree(box.root)).toEqual(['a/', 'a/keep.txt']);
    expect(await tree(metaRoot())).toEqual(['a.d/', 'a.d/keep.txt.json']);
    await disk.delete('a/keep.txt');
    expect(await tree(box.root)).toEqual([]);
    expect(existsSync(box.root)).toBe(true);
    expect(await tree(metaRoot())).toEqual([]);
  });

  it('a key whose parent is a file, or that names a directory, is E_CONFLICT (RFC 9110 §15.5.10: 409); reading one is E_NOT_FOUND', async () => {
    await disk.put('a', 'file');
    await disk.put('d/x', 'file');
    await expectCode(disk.put('a/b', 'x'), 'E_CONFLICT');
    await expectCode(disk.put('d', 'x'), 'E_CONFLICT');
    await expectCode(disk.stat('a/b'), 'E_NOT_FOUND');
    await expectCode(disk.stat('d'), 'E_NOT_FOUND');
    await expectCode(disk.getStream('d'), 'E_NOT_FOUND');
    await disk.delete('d');
    expect((await disk.get('d/x')).toString()).toBe('file');
    expect(await debris()).toEqual([]);
  });
});

describe('list', () => {
  it('never shows temp files, directories, non-canonical names or special files', async () => {
    await disk.put('dir/a.txt', 'x');
    await writeFile(join(box.root, 'dir', `.a.txt.${'0'.repeat(32)}.tmp`), 'in flight');
    await writeFile(join(box.root, 'dir', 'e\u0301.txt'), 'NFD name written by something else');
    execFileSync('mkfifo', [join(box.root, 'dir', 'fifo')]);
    expect((await collect(disk.list())).map((s) => s.key)).toEqual(['dir/a.txt']);
    await expectCode(disk.stat('dir/fifo'), 'E_NOT_FOUND');
    await expectCode(disk.getStream('dir/fifo'), 'E_NOT_FOUND');
  });

  it('walks lazily: breaking out early does not read the rest', async () => {
    for (const key of ['a/1', 'b/2', 'c/3']) await disk.put(key, key);
    const seen: string[] = [];
    for await (const s of disk.list()) {
      seen.push(s.key);
      if (seen.length === 1) break;
    }
    expect(seen).toEqual(['a/1']);
  });

  it('stores segments up to 250 UTF-8 bytes (NAME_MAX minus the sidecar suffix) and refuses longer ones', async () => {
    await disk.put(`d/${'x'.repeat(250)}`, 'ok');
    expect((await disk.get(`d/${'x'.repeat(250)}`)).toString()).toBe('ok');
    await expectCode(disk.put(`d/${'x'.repeat(251)}`, 'x'), 'E_INVALID_KEY');
    await expectCode(disk.put(`${'é'.repeat(126)}/a`, 'x'), 'E_INVALID_KEY');
  });

  it('refuses to write a key shaped like a temp file name', async () => {
    await expectCode(disk.put(`.x.${'a'.repeat(32)}.tmp`, 'x'), 'E_INVALID_KEY');
  });
});

describe('getStream', () => {
  it('stat and bytes come from one open file, even if the key is overwritten before reading', async () => {
    await disk.put('doc.txt', 'version one', { contentType: 'text/plain' });
    const { stat: opened, stream } = await disk.getStream('doc.txt');
    await disk.put('doc.txt', 'version two!', { contentType: 'text/plain' });
    const bytes = Buffer.concat(await collect(stream as AsyncIterable<Buffer>));
    expect(bytes.toString()).toBe('version one');
    expect(opened).toMatchObject({ size: 11, etag: sha('version one') });
  });
});
