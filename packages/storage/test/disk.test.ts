import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Disk } from '../src/disk.js';
import { StorageError } from '../src/errors.js';
import { LocalDriver } from '../src/local/local-driver.js';
import type { FileStat, PutBody, PutOptions, StorageDriver } from '../src/types.js';
import { collect, expectCode, sandbox } from './helpers.js';

let box: Awaited<ReturnType<typeof sandbox>>;
beforeEach(async () => {
  box = await sandbox();
});
afterEach(() => box.cleanup());

/** Wraps a real LocalDriver and records the keys the façade hands it. */
class RecordingDriver implements StorageDriver {
  readonly keys: string[] = [];
  constructor(readonly inner: StorageDriver) {}
  put(key: string, body: PutBody, options: PutOptions) {
    this.keys.push(key);
    return this.inner.put(key, body, options);
  }
  stat(key: string) {
    this.keys.push(key);
    return this.inner.stat(key);
  }
  getStream(key: string) {
    this.keys.push(key);
    return this.inner.getStream(key);
  }
  delete(key: string) {
    this.keys.push(key);
    return this.inner.delete(key);
  }
  list(prefix: string): AsyncIterable<FileStat> {
    this.keys.push(prefix);
    return this.inner.list(prefix);
  }
}

describe('Disk', () => {
  it('hands the driver canonical (NFC) keys and prefixes only', async () => {
    const driver = new RecordingDriver(new LocalDriver({ root: box.root }));
    const disk = new Disk(driver);
    const nfd = 'caf\u0065\u0301/re\u0301sume\u0301.pdf';
    await disk.put(nfd, 'x');
    await disk.stat(nfd);
    await disk.get(nfd);
    await collect(disk.list('caf\u0065\u0301/'));
    await disk.delete(nfd);
    expect(driver.keys).toEqual(['café/résumé.pdf', 'café/résumé.pdf', 'café/résumé.pdf', 'café/', 'café/résumé.pdf']);
  });

  it('wraps an unexpected driver error in E_IO (500, not exposed) with the original as cause, once', async () => {
    const disk = new Disk(new LocalDriver({ root: box.root }));
    // A stray file where the sidecar tree needs a directory: nothing the key or the client did.
    await mkdir(join(box.dir, '.storage-meta'), { recursive: true });
    await writeFile(join(box.dir, '.storage-meta', 'docs.d'), 'junk');
    const err = await expectCode(disk.put('docs/a.txt', 'x'), 'E_IO');
    expect(err.status).toBe(500);
    expect(err.expose).toBe(false);
    expect(err.cause).toBeInstanceOf(Error);
    expect(err.cause).not.toBeInstanceOf(StorageError);
    expect((err.cause as NodeJS.ErrnoException).code).toMatch(/^E[A-Z]+$/);
    expect(err.message).not.toContain(box.dir);
    expect(await disk.exists('docs/a.txt')).toBe(false);
  });

  it('a root that cannot be a directory is E_MISCONFIGURED (500) for every operation, with the cause kept', async () => {
    await writeFile(box.root, 'a file where the root directory should be');
    const disk = new Disk(new LocalDriver({ root: box.root }));
    for (const attempt of [() => disk.put('a.txt', 'x'), () => disk.stat('a.txt'), () => disk.delete('a.txt'), () => collect(disk.list())]) {
      const err = await expectCode(attempt(), 'E_MISCONFIGURED');
      expect(err.expose).toBe(false);
      expect((err.cause as NodeJS.ErrnoException).code).toMatch(/^E[A-Z]+$/);
    }
  });

  it('a root under a file system that refuses new directories (/proc) is E_MISCONFIGURED at once, not a hang', async () => {
    // Node's own recursive mkdir retries forever there; the driver makes the levels one by one.
    const disk = new Disk(new LocalDriver({ root: '/proc/tsforge-nope/files' }));
    const err = await expectCode(disk.put('a.txt', 'x'), 'E_MISCONFIGURED');
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('passes a StorageError from the driver through untouched', async () => {
    const disk = new Disk(new LocalDriver({ root: box.root }));
    const err = await expectCode(disk.stat('missing'), 'E_NOT_FOUND');
    expect(err.status).toBe(404);
    expect(err.expose).toBe(true);
    expect(err.cause).toBeUndefined();
  });

  it('exists is true for a file, false for a missing key, and get returns the bytes as a Buffer', async () => {
    const disk = new Disk(new LocalDriver({ root: box.root }));
    await disk.put('k.bin', new Uint8Array([0, 255, 10]));
    expect(await disk.exists('k.bin')).toBe(true);
    expect(await disk.exists('nope')).toBe(false);
    const bytes = await disk.get('k.bin');
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect([...bytes]).toEqual([0, 255, 10]);
  });

  it('stores a declared content type if well formed (RFC 9110 §8.3.1), else a conservative guess from the extension', async () => {
    const disk = new Disk(new LocalDriver({ root: box.root }));
    expect((await disk.put('a.bin', 'x', { contentType: 'text/plain; charset="utf-8"' })).contentType).toBe('text/plain; charset="utf-8"');
    expect((await disk.put('b.png', 'x')).contentType).toBe('image/png');
    expect((await disk.put('c.PDF', 'x')).contentType).toBe('application/pdf');
    expect((await disk.put('d.png', 'x', { contentType: 'not a type' })).contentType).toBe('image/png');
    expect((await disk.put('e.txt', 'x', { contentType: 'text/html\r\nx: y' })).contentType).toBe('text/plain');
    // Types a browser would run are never guessed.
    expect((await disk.put('f.html', 'x')).contentType).toBe('application/octet-stream');
    expect((await disk.put('g.svg', 'x')).contentType).toBe('application/octet-stream');
    expect((await disk.put('h.constructor', 'x')).contentType).toBe('application/octet-stream');
    expect((await disk.stat('b.png')).contentType).toBe('image/png');
  });

  it('rejects programmer misuse with TypeError', async () => {
    const disk = new Disk(new LocalDriver({ root: box.root }));
    await expect(disk.put('a', 42 as unknown as string)).rejects.toThrow(TypeError);
    await expect(disk.put('a', 'x', { maxBytes: -1 })).rejects.toThrow(TypeError);
    await expect(disk.put('a', 'x', { maxBytes: 1.5 })).rejects.toThrow(TypeError);
    expect(() => new Disk(new LocalDriver({ root: box.root }), { signedUrlBase: '/relative' })).toThrow(TypeError);
    expect(() => new Disk(new LocalDriver({ root: box.root }), { signedUrlBase: 'http://x/files?a=1' })).toThrow(TypeError);
    expect(() => new LocalDriver({ root: '' })).toThrow(TypeError);
  });

  it('E_TOO_LARGE for a string body is decided before anything touches the disk', async () => {
    const disk = new Disk(new LocalDriver({ root: join(box.dir, 'never-created') }));
    await expectCode(disk.put('a.txt', 'too long', { maxBytes: 3 }), 'E_TOO_LARGE');
    await expectCode(disk.put('a.txt', new Uint8Array(4), { maxBytes: 3 }), 'E_TOO_LARGE');
    expect(await collect(disk.list())).toEqual([]);
  });
});

describe('StorageError', () => {
  it.each([
    ['E_NOT_FOUND', 404, true],
    ['E_INVALID_KEY', 400, true],
    ['E_PATH_TRAVERSAL', 400, true],
    ['E_SIGNATURE_INVALID', 403, true],
    ['E_SIGNATURE_EXPIRED', 403, true],
    ['E_EXPIRY_OUT_OF_RANGE', 400, true],
    ['E_MISCONFIGURED', 500, false],
    ['E_TOO_LARGE', 413, true],
    ['E_UNAVAILABLE', 503, false],
    ['E_IO', 500, false],
  ] as const)('%s has status %i and expose %s', (code, status, expose) => {
    const cause = new Error('root cause');
    const err = new StorageError(code, 'message', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'StorageError', code, status, expose, message: 'message', cause });
  });
});
