// Run after `npx tsc -b packages/storage`: node packages/storage/examples/basic.mjs
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Disk, LocalDriver, StorageError, UrlSigner } from '../dist/index.js';

const dir = await mkdtemp(join(tmpdir(), 'tsforge-storage-example-'));
try {
  const disk = new Disk(new LocalDriver({ root: join(dir, 'storage') }), {
    signer: new UrlSigner({ secret: randomBytes(32) }),
    signedUrlBase: 'http://127.0.0.1:3000/files',
  });

  // Strings, bytes and streams all go to a temp file first, then rename over the key.
  await disk.put('reports/résumé 2024.txt', 'hello, storage\n', { contentType: 'text/plain; charset=utf-8' });
  const big = await disk.put('uploads/data.bin', Readable.from([Buffer.alloc(1024, 1), Buffer.alloc(1024, 2)]), { maxBytes: 10_000 });
  console.log('stored', big.key, big.size, 'bytes, etag', big.etag);

  for await (const file of disk.list('reports/')) console.log('listed', file.key, file.contentType, file.etag);
  console.log('read back', JSON.stringify((await disk.get('reports/résumé 2024.txt')).toString()));

  const { url, expiresAt } = await disk.signedUrl('reports/résumé 2024.txt', { expiresIn: 3600 });
  console.log('signed', url, 'until', expiresAt.toISOString());

  // What a server does with GET <url>: decode the path per segment, verify the query.
  const parsed = new URL(url);
  const key = parsed.pathname.slice('/files/'.length).split('/').map(decodeURIComponent).join('/');
  disk.verifySignedUrl(key, parsed.search);
  console.log('verified for', key);

  try {
    disk.verifySignedUrl('reports/other.txt', parsed.search);
  } catch (err) {
    if (err instanceof StorageError) console.log('other key refused:', err.code, err.status);
  }
  try {
    await disk.get('../etc/passwd');
  } catch (err) {
    if (err instanceof StorageError) console.log('traversal refused:', err.code, err.status);
  }

  await disk.delete('reports/résumé 2024.txt');
  console.log('exists after delete:', await disk.exists('reports/résumé 2024.txt'));
} finally {
  await rm(dir, { recursive: true, force: true });
}
