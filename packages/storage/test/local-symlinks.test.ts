import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Disk } from '../src/disk.js';
import { LocalDriver } from '../src/local/local-driver.js';
import { UrlSigner } from '../src/url-signer.js';
import { chunks, collect, expectCode, sandbox, tree } from './helpers.js';

let box: Awaited<ReturnType<typeof sandbox>>;
let disk: Disk;

beforeEach(async () => {
  box = await sandbox();
  disk = new Disk(new LocalDriver({ root: box.root }), { signer: new UrlSigner({ secret: new Uint8Array(32) }), signedUrlBase: 'http://127.0.0.1:3000/files' });
});
afterEach(() => box.cleanup());

const metaRoot = () => join(box.dir, '.storage-meta');
const debris = async () => (await tree(box.dir)).filter((p) => p.endsWith('.tmp'));

describe('symlinks are never followed out of the root', () => {
  let outside: string;
  let passwd: { content: Buffer; mtimeMs: number } | undefined;

  beforeEach(async () => {
    outside = join(box.dir, 'outside');
    await mkdir(outside);
    await mkdir(box.root, { recursive: true });
    await writeFile(join(outside, 'secret.txt'), 'SECRET');
    await symlink(outside, join(box.root, 'link'));
    await symlink('/etc/passwd', join(box.root, 'passwd'));
    passwd = existsSync('/etc/passwd') ? { content: await readFile('/etc/passwd'), mtimeMs: (await stat('/etc/passwd')).mtimeMs } : undefined;
  });

  it('reads through a directory symlink or a file symlink are E_PATH_TRAVERSAL', async () => {
    for (const key of ['link/secret.txt', 'passwd']) {
      await expectCode(disk.get(key), 'E_PATH_TRAVERSAL');
      await expectCode(disk.getStream(key), 'E_PATH_TRAVERSAL');
      await expectCode(disk.stat(key), 'E_PATH_TRAVERSAL');
      await expectCode(disk.signedUrl(key, { expiresIn: 60 }), 'E_PATH_TRAVERSAL');
    }
    await expectCode(collect(disk.list('link/')), 'E_PATH_TRAVERSAL');
  });

  it('writes and deletes through them are refused and nothing changes outside', async () => {
    await expectCode(disk.put('link/new.txt', 'x'), 'E_PATH_TRAVERSAL');
    await expectCode(disk.put('link/deep/er/new.txt', chunks(['x'])), 'E_PATH_TRAVERSAL');
    await expectCode(disk.put('link/secret.txt', 'overwritten'), 'E_PATH_TRAVERSAL');
    await expectCode(disk.put('passwd', 'root::0:0::/:/bin/sh'), 'E_PATH_TRAVERSAL');
    await expectCode(disk.delete('link/secret.txt'), 'E_PATH_TRAVERSAL');
    await expectCode(disk.delete('passwd'), 'E_PATH_TRAVERSAL');
    expect(await tree(outside)).toEqual(['secret.txt']);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('SECRET');
    if (passwd) {
      expect(await readFile('/etc/passwd')).toEqual(passwd.content);
      expect((await stat('/etc/passwd')).mtimeMs).toBe(passwd.mtimeMs);
    }
    expect(await debris()).toEqual([]);
  });

  it('a symlink planted in the sidecar tree is refused too', async () => {
    await mkdir(metaRoot(), { recursive: true });
    await symlink(outside, join(metaRoot(), 'docs.d'));
    await expectCode(disk.put('docs/a.txt', 'x'), 'E_PATH_TRAVERSAL');
    expect(await tree(outside)).toEqual(['secret.txt']);
    expect(await debris()).toEqual([]);
    expect(existsSync(join(box.root, 'docs', 'a.txt'))).toBe(false);
  });

  it('list skips symlinks', async () => {
    await disk.put('real.txt', 'x');
    expect((await collect(disk.list())).map((s) => s.key)).toEqual(['real.txt']);
  });

  it('a root that is itself a symlink (operator configuration) works', async () => {
    const real = join(box.dir, 'real-root');
    await mkdir(real);
    await symlink(real, join(box.dir, 'root-link'));
    const viaLink = new Disk(new LocalDriver({ root: join(box.dir, 'root-link') }));
    await viaLink.put('a/b.txt', 'ok');
    expect(await readFile(join(real, 'a', 'b.txt'), 'utf8')).toBe('ok');
    expect((await viaLink.get('a/b.txt')).toString()).toBe('ok');
  });
});
