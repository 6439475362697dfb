// The Disk API on an S3-compatible store: here OpenStack Swift, started for the example.
// Needs Debian's python3-swift and python3-pastedeploy. After `npx tsc -b`:
//   node packages/storage/examples/s3.mjs
import { Readable } from 'node:stream';
import { Disk, StorageError } from '../dist/index.js';
import { S3Driver } from '../dist/s3/index.js';
import { startSwift } from '../dist/testing/index.js';

const swift = await startSwift({ buckets: ['example'] });
const driver = new S3Driver({
  bucket: 'example',
  region: swift.region, // 'us-east-1' on AWS by default, 'auto' for R2
  endpoint: swift.endpoint, // leave out for AWS
  forcePathStyle: true,
  credentials: { accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey }, // or the AWS default chain
});
const disk = new Disk(driver, { name: 'uploads' });
try {
  await disk.put('reports/résumé 2024.txt', 'hello, S3\n', { contentType: 'text/plain; charset=utf-8' });
  // A stream of unknown length: one PutObject if small, else a multipart upload (aborted on failure).
  await disk.put('uploads/data.bin', Readable.from([Buffer.alloc(1024, 1), Buffer.alloc(1024, 2)]));
  for await (const file of disk.list('')) console.log('listed', file.key, file.size, file.contentType);

  const download = await disk.signedUrl('reports/résumé 2024.txt', { expiresIn: 300, responseContentDisposition: 'attachment' });
  const response = await fetch(download.url); // the store checks the signature
  console.log('presigned GET', response.status, JSON.stringify(await response.text()));

  const upload = await disk.signedUploadUrl('incoming/photo.png', { expiresIn: 300, contentType: 'image/png' });
  const put = await fetch(upload.url, { method: upload.method, headers: upload.headers, body: 'not really a png' });
  console.log('presigned PUT', put.status, (await disk.stat('incoming/photo.png')).contentType);

  const wrong = await fetch(upload.url, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: '<script>' });
  console.log('presigned PUT with another type', wrong.status);

  try {
    await disk.signedUrl('reports/résumé 2024.txt', { expiresIn: 604_801 });
  } catch (err) {
    if (err instanceof StorageError) console.log('8 days refused:', err.code);
  }
  console.log('deleteAll', await disk.deleteAll('', { everything: true }));
} finally {
  driver.close();
  await swift.stop();
}
