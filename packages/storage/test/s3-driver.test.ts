import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Disk } from '../src/disk.js';
import { S3Driver } from '../src/s3/s3-driver.js';
import { resolveS3Options } from '../src/s3/s3-config.js';
import { SPECIAL_KEYS } from '../src/testing/driver-contract.js';
import { encodeKeyPath } from '../src/key.js';
import { chunks, expectCode, failingAfter } from './helpers.js';
import { describeSwift, useSwift } from './swift.js';

const MiB = 1024 * 1024;

describe('S3 driver options', () => {
  it('region defaults to us-east-1 and accepts "auto" (R2)', () => {
    expect(resolveS3Options({ bucket: 'b-1' }).region).toBe('us-east-1');
    expect(resolveS3Options({ bucket: 'b-1', region: 'auto' }).region).toBe('auto');
  });

  it('path style is automatic for a dotted bucket over https only, and can be forced either way', () => {
    expect(resolveS3Options({ bucket: 'my.bucket' }).forcePathStyle).toBe(true);
    expect(resolveS3Options({ bucket: 'my.bucket', endpoint: 'https://s3.example.test' }).forcePathStyle).toBe(true);
    expect(resolveS3Options({ bucket: 'my.bucket', endpoint: 'http://127.0.0.1:9000' }).forcePathStyle).toBe(false);
    expect(resolveS3Options({ bucket: 'plain' }).forcePathStyle).toBe(false);
    expect(resolveS3Options({ bucket: 'my.bucket', forcePathStyle: false }).forcePathStyle).toBe(false);
    expect(resolveS3Options({ bucket: 'plain', forcePathStyle: true }).forcePathStyle).toBe(true);
  });

  it.each([
    [{ bucket: 'Bad_Bucket' }],
    [{ bucket: 'ok-bucket', endpoint: 'not a url' }],
    [{ bucket: 'ok-bucket', endpoint: 'ftp://host' }],
    [{ bucket: 'ok-bucket', publicEndpoint: 'http://u:p@host' }],
    [{ bucket: 'ok-bucket', partSize: 1024 }],
    [{ bucket: 'ok-bucket', credentials: { accessKeyId: 'x', secretAccessKey: '' } }],
  ])('a bad option is E_MISCONFIGURED up front: %j', async (options) => {
    await expectCode(() => new S3Driver(options), 'E_MISCONFIGURED');
  });

  it('case 3: for https://host:443 the default port is not part of the signed host', async () => {
    const driver = new S3Driver({ bucket: 'b-1', endpoint: 'https://s3.example.test:443', forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const { url } = await driver.presign({ method: 'GET', key: 'k', expiresIn: 60 });
    expect(new URL(url).host).toBe('s3.example.test');
    expect(url.startsWith('https://s3.example.test/b-1/k?')).toBe(true);
    driver.close();
  });

  it('case 6: an expiry out of 1..604800 s is refused before any request (the endpoint is unreachable)', async () => {
    const disk = new Disk(new S3Driver({ bucket: 'b-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
    for (const expiresIn of [604_801, 0, -1, 1.5, Number.NaN]) {
      await expectCode(disk.signedUrl('e.txt', { expiresIn }), 'E_EXPIRY_OUT_OF_RANGE');
      await expectCode(disk.signedUploadUrl('e.txt', { expiresIn }), 'E_EXPIRY_OUT_OF_RANGE');
    }
    (disk.driver as S3Driver).close();
  });

  it('public URLs: path style, virtual host, or an explicit base', () => {
    const creds = { accessKeyId: 'a', secretAccessKey: 'b' };
    expect(new S3Driver({ bucket: 'b-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, credentials: creds }).publicUrl('a b/c+d.txt'))
      .toBe('http://127.0.0.1:9000/b-1/a%20b/c%2Bd.txt');
    expect(new S3Driver({ bucket: 'b-1', region: 'eu-west-1', credentials: creds }).publicUrl('x.txt')).toBe('https://b-1.s3.eu-west-1.amazonaws.com/x.txt');
    expect(new S3Driver({ bucket: 'b-1', publicUrlBase: 'https://cdn.example.test/files/', credentials: creds }).publicUrl('x.txt')).toBe('https://cdn.example.test/files/x.txt');
  });
});

describeSwift('S3 driver against Swift (signatures checked)', () => {
  const swift = useSwift();

  const withBucket = async (fn: (ctx: Awaited<ReturnType<typeof swift.bucket>> & { disk: Disk }) => Promise<void>, options = {}) => {
    const ctx = await swift.bucket(options);
    try {
      await fn({ ...ctx, disk: new Disk(ctx.driver) });
    } finally {
      await ctx.cleanup();
    }
  };

  it('check() is HeadBucket: passes on the bucket, E_MISCONFIGURED naming a missing one, E_UNAVAILABLE when unreachable', () => withBucket(async ({ disk }) => {
    await disk.check();
    const s = swift.server();
    const config = { region: s.region, forcePathStyle: true, credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } };
    const missing = new S3Driver({ ...config, bucket: 'no-such-bucket-here', endpoint: s.endpoint });
    const unreachable = new S3Driver({ ...config, bucket: 'b-1', endpoint: 'http://127.0.0.1:1' });
    try {
      const err = await expectCode(new Disk(missing).check(), 'E_MISCONFIGURED');
      expect(err.message).toBe('the S3 bucket "no-such-bucket-here" does not exist');
      await expectCode(new Disk(unreachable).check(), 'E_UNAVAILABLE');
    } finally {
      missing.close();
      unreachable.close();
    }
  }));

  it('case 1: a streamed 2012-byte upload is stored byte-exact (no aws-chunked framing)', () => withBucket(async ({ disk, client, bucket }) => {
    const body = Buffer.alloc(2012, 7);
    await disk.put('exact.bin', Readable.from([body.subarray(0, 1000), body.subarray(1000)]));
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'exact.bin' }));
    expect(head.ContentLength).toBe(2012);
    expect((await disk.get('exact.bin')).equals(body)).toBe(true);
  }));

  it('case 2: a presigned PUT carries only SigV4 parameters and takes real bytes', () => withBucket(async ({ disk }) => {
    const signed = await disk.signedUploadUrl('up.txt', { expiresIn: 60 });
    expect(signed.method).toBe('PUT');
    const names = [...new URL(signed.url).searchParams.keys()].sort();
    expect(names).toEqual(['X-Amz-Algorithm', 'X-Amz-Content-Sha256', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'x-id']);
    const response = await fetch(signed.url, { method: 'PUT', body: 'uploaded directly', headers: { 'content-type': 'text/x-anything' } });
    expect(response.status).toBe(200);
    expect((await disk.get('up.txt')).toString()).toBe('uploaded directly');
    // Case 7: without a fixed type, any type is accepted and stored as sent.
    expect((await disk.stat('up.txt')).contentType).toBe('text/x-anything');
  }));

  it('case 3: with an endpoint on a port, the signed host keeps the port and a presigned GET answers 200', () => withBucket(async ({ disk }) => {
    await disk.put('p.txt', 'port');
    const { url } = await disk.signedUrl('p.txt', { expiresIn: 60 });
    expect(new URL(url).host).toBe(new URL(swift.server().endpoint).host);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('port');
  }));

  it('case 4: presigned URLs are made for publicEndpoint; rewriting the host of an internal one fails', async () => {
    const internal = swift.server().endpoint; // http://127.0.0.1:PORT
    const external = internal.replace('127.0.0.1', 'localhost');
    await withBucket(async ({ disk, bucket }) => {
      await disk.put('pub.txt', 'public name');
      const { url } = await disk.signedUrl('pub.txt', { expiresIn: 60 });
      expect(url.startsWith(`${external}/${bucket}/pub.txt?`)).toBe(true);
      expect(await (await fetch(url)).text()).toBe('public name');
      // A URL signed for the internal name, with its host swapped afterwards: the host is signed.
      const plain = new Disk(new S3Driver({ bucket, endpoint: internal, forcePathStyle: true, credentials: { accessKeyId: swift.server().accessKeyId, secretAccessKey: swift.server().secretAccessKey } }));
      const swapped = (await plain.signedUrl('pub.txt', { expiresIn: 60 })).url.replace(internal, external);
      const response = await fetch(swapped);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('SignatureDoesNotMatch');
      (plain.driver as S3Driver).close();
    }, { publicEndpoint: external });
  });

  it('case 5: keys with reserved characters presign and download as themselves', () => withBucket(async ({ disk, bucket }) => {
    for (const key of SPECIAL_KEYS) {
      await disk.put(key, `body of ${key}`);
      const { url } = await disk.signedUrl(key, { expiresIn: 60 });
      expect(url).not.toContain('+');
      // Each segment RFC 3986-encoded, !'()* included, as SigV4 canonicalizes the path.
      expect(new URL(url).pathname, key).toBe(`/${bucket}/${encodeKeyPath(key)}`);
      const response = await fetch(url);
      expect(response.status, key).toBe(200);
      expect(await response.text(), key).toBe(`body of ${key}`);
    }
  }));

  it('case 6: expiresIn must be 1..604800 s, refused before any request', () => withBucket(async ({ disk }) => {
    await disk.put('e.txt', 'x');
    for (const expiresIn of [604_801, 0, -1, 1.5, Number.NaN]) {
      await expectCode(disk.signedUrl('e.txt', { expiresIn }), 'E_EXPIRY_OUT_OF_RANGE');
      await expectCode(disk.signedUploadUrl('e.txt', { expiresIn }), 'E_EXPIRY_OUT_OF_RANGE');
    }
    const { url } = await disk.signedUrl('e.txt', { expiresIn: 604_800 });
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('604800');
    expect((await fetch(url)).status).toBe(200);
  }));

  it('case 7: a fixed content type is signed, returned as a header, and another type gets 403', () => withBucket(async ({ disk }) => {
    const signed = await disk.signedUploadUrl('typed.png', { expiresIn: 60, contentType: 'image/png' });
    expect(signed.headers).toEqual({ 'content-type': 'image/png' });
    const wrong = await fetch(signed.url, { method: 'PUT', body: 'x', headers: { 'content-type': 'text/html' } });
    expect(wrong.status).toBe(403);
    expect(await disk.exists('typed.png')).toBe(false);
    const right = await fetch(signed.url, { method: 'PUT', body: 'png bytes', headers: signed.headers });
    expect(right.status).toBe(200);
    expect((await disk.stat('typed.png')).contentType).toBe('image/png');
  }));

  it('case 8: a fixed content length is signed, so the store refuses a body of any other length (403)', () => withBucket(async ({ disk }) => {
    const signed = await disk.signedUploadUrl('sized.bin', { expiresIn: 60, contentLength: 4 });
    expect(signed.headers).toEqual({ 'content-length': '4' });
    expect(new URL(signed.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    for (const body of ['abcde', 'abc', 'x'.repeat(1024 * 1024)]) {
      expect((await fetch(signed.url, { method: 'PUT', body })).status).toBe(403);
    }
    // Chunked, so no Content-Length at all: refused as well.
    const streamed = await fetch(signed.url, { method: 'PUT', body: Readable.toWeb(Readable.from([Buffer.from('abcd')])) as ReadableStream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBeGreaterThanOrEqual(400);
    expect(await disk.exists('sized.bin')).toBe(false);
    expect((await fetch(signed.url, { method: 'PUT', body: 'abcd' })).status).toBe(200);
    expect((await disk.stat('sized.bin')).size).toBe(4);
    await expect(disk.signedUploadUrl('x', { expiresIn: 5, contentLength: -1 })).rejects.toThrow(TypeError);
    await expect(disk.signedUploadUrl('x', { expiresIn: 5, contentLength: 1.5 })).rejects.toThrow(TypeError);
  }));

  it('presigned GET: response overrides are signed and applied', () => withBucket(async ({ disk }) => {
    await disk.put('report.bin', 'data');
    const { url } = await disk.signedUrl('report.bin', { expiresIn: 60, responseContentType: 'text/csv', responseContentDisposition: 'attachment; filename="r.csv"' });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="r.csv"');
    const changed = new URL(url);
    changed.searchParams.set('response-content-type', 'text/html');
    expect((await fetch(changed)).status).toBe(403);
  }));

  it('presigned URLs fail when altered, expired, or used with another method', () => withBucket(async ({ disk, bucket }) => {
    await disk.put('secret.txt', 'top');
    const { url } = await disk.signedUrl('secret.txt', { expiresIn: 60 });
    expect((await fetch(url)).status).toBe(200);
    const signature = new URL(url).searchParams.get('X-Amz-Signature')!;
    const flipped = url.replace(signature, (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1));
    expect((await fetch(flipped)).status).toBe(403);
    expect((await fetch(url.replace('secret.txt', 'secret.txu'))).status).toBe(403);
    expect((await fetch(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=600'))).status).toBe(403);
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(403);
    expect((await fetch(url, { method: 'PUT', body: 'overwrite' })).status).toBe(403);
    expect((await disk.get('secret.txt')).toString()).toBe('top');
    // Signed an hour ago for 60 s: expired.
    const past = new Disk(new S3Driver({
      bucket, endpoint: swift.server().endpoint, forcePathStyle: true, clock: () => Date.now() - 3600_000,
      credentials: { accessKeyId: swift.server().accessKeyId, secretAccessKey: swift.server().secretAccessKey },
    }));
    const expired = await past.signedUrl('secret.txt', { expiresIn: 60 });
    expect((await fetch(expired.url)).status).toBe(403);
    (past.driver as S3Driver).close();
  }));

  it('a stream over one part goes multipart and arrives whole', () => withBucket(async ({ disk }) => {
    const parts = Array.from({ length: 12 }, (_, i) => Buffer.alloc(MiB, i));
    const stat = await disk.put('big.bin', chunks(parts));
    expect(stat.size).toBe(12 * MiB);
    expect(stat.etag).toMatch(/-\d+"$/); // a multipart ETag names its part count
    const back = await disk.get('big.bin');
    expect(back.equals(Buffer.concat(parts))).toBe(true);
  }, { partSize: 5 * MiB }), 60_000);

  it('a multipart upload whose source fails is aborted: the original stays and no upload is left open', () => withBucket(async ({ disk, client, bucket }) => {
    await disk.put('doc.bin', 'ORIGINAL');
    const sixMiB = Array.from({ length: 6 }, () => 'x'.repeat(MiB));
    await expect(disk.put('doc.bin', failingAfter([...sixMiB, ...sixMiB]))).rejects.toThrow();
    expect((await disk.get('doc.bin')).toString()).toBe('ORIGINAL');
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(open.Uploads ?? []).toEqual([]);
  }, { partSize: 5 * MiB }), 60_000);

  it('both spellings of 404 are E_NOT_FOUND; a missing bucket and a wrong secret are E_MISCONFIGURED', () => withBucket(async ({ disk, client, bucket }) => {
    await expectCode(disk.stat('none'), 'E_NOT_FOUND'); // HEAD: NotFound
    await expectCode(disk.getStream('none'), 'E_NOT_FOUND'); // GET: NoSuchKey
    await expect(client.send(new GetObjectCommand({ Bucket: bucket, Key: 'none' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    const server = swift.server();
    const creds = { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
    const nobucket = new S3Driver({ bucket: 'no-such-bucket-here', endpoint: server.endpoint, forcePathStyle: true, credentials: creds });
    await expectCode(new Disk(nobucket).get('x'), 'E_MISCONFIGURED');
    const wrong = new S3Driver({ bucket, endpoint: server.endpoint, forcePathStyle: true, credentials: { ...creds, secretAccessKey: 'wrong' } });
    await expectCode(new Disk(wrong).stat('x'), 'E_MISCONFIGURED');
    nobucket.close();
    wrong.close();
  }));

  it('visibility is ignored, without any ACL call, on a disk that declares no ACL support', () => withBucket(async ({ disk }) => {
    expect(disk.capabilities.visibility).toBe(false);
    await disk.put('v.txt', 'x', { visibility: 'public' });
    expect((await disk.get('v.txt')).toString()).toBe('x');
  }));

  it('ranges are fetched from the store, not cut locally', () => withBucket(async ({ disk }) => {
    await disk.put('r.txt', 'abcdefghij');
    const { stream, stat } = await disk.getStream('r.txt', { range: { start: 3, end: 5 } });
    const parts: Buffer[] = [];
    for await (const c of stream) parts.push(Buffer.from(c));
    expect(Buffer.concat(parts).toString()).toBe('def');
    expect(stat.size).toBe(10);
  }));
});
