import { describe, expect, it } from 'vitest';
import { Disk } from '../src/disk.js';
import { encodeKeyPath } from '../src/key.js';
import { LocalDriver } from '../src/local/local-driver.js';
import { UrlSigner } from '../src/url-signer.js';
import { expectCode, sandbox } from './helpers.js';

const SECRET = new Uint8Array(32).fill(7);
const BASE = 'http://127.0.0.1:3000/files';
const NOW_MS = 1_700_000_000_000;
const NOW_S = NOW_MS / 1000;

async function setup(clock: { now: number } = { now: NOW_MS }) {
  const box = await sandbox();
  const signer = new UrlSigner({ secret: SECRET, clock: () => clock.now });
  const disk = new Disk(new LocalDriver({ root: box.root }), { signer, signedUrlBase: BASE });
  return { box, signer, disk, clock };
}

/** What a server sees: the path after the base, decoded per segment, and the raw query. */
function parse(url: string): { key: string; query: string } {
  const u = new URL(url);
  const path = u.pathname.slice(new URL(BASE).pathname.length + 1);
  return { key: path.split('/').map(decodeURIComponent).join('/'), query: u.search.slice(1) };
}

describe('Disk.signedUrl and verifySignedUrl', () => {
  it.each(['file#1.txt', 'a?expires=9999999999&x=.txt', 'nested/folder/photo.jpg', "it's(1)*!.txt", '100%.txt', 'a b.txt'])(
    'a URL for %j parses back to exactly that key and verifies',
    async (key) => {
      const { box, disk } = await setup();
      try {
        await disk.put(key, 'content');
        const { url, expiresAt } = await disk.signedUrl(key, { expiresIn: 60 });
        expect(url.startsWith(`${BASE}/${encodeKeyPath(key)}?expires=${NOW_S + 60}&signature=`)).toBe(true);
        expect(expiresAt.getTime()).toBe(NOW_MS + 60_000);
        const parsed = parse(url);
        expect(parsed.key).toBe(key);
        expect(new URL(url).searchParams.get('expires')).toBe(String(NOW_S + 60));
        disk.verifySignedUrl(parsed.key, parsed.query);
        disk.verifySignedUrl(parsed.key, `?${parsed.query}`);
        disk.verifySignedUrl(parsed.key, new URLSearchParams(parsed.query));
      } finally {
        await box.cleanup();
      }
    },
  );

  it('rejects every tampered URL with E_SIGNATURE_INVALID', async () => {
    const { box, disk, signer } = await setup();
    try {
      await disk.put('file#1.txt', 'x');
      await disk.put('nested/folder/photo.jpg', 'x');
      const { url } = await disk.signedUrl('file#1.txt', { expiresIn: 60 });
      const { key, query } = parse(url);
      const params = new URLSearchParams(query);
      const expires = params.get('expires')!;
      const signature = params.get('signature')!;
      const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
      const cases: [string, string, string][] = [
        ['another key', 'file#2.txt', query],
        ['a key differing by case', 'File#1.txt', query],
        ['a later expiry', key, `expires=${Number(expires) + 1}&signature=${signature}`],
        ['a changed signature', key, `expires=${expires}&signature=${flipped}`],
        ['a truncated signature', key, `expires=${expires}&signature=${signature.slice(0, -1)}`],
        ['a padded signature', key, `expires=${expires}&signature=${signature}=`],
        ['a duplicate expires', key, `${query}&expires=${expires}`],
        ['a duplicate signature', key, `${query}&signature=${signature}`],
        ['an extra parameter', key, `${query}&download=1`],
        ['an empty extra parameter', key, `${query}&`.replace(/&$/, '&x')],
        ['no signature', key, `expires=${expires}`],
        ['no expires', key, `signature=${signature}`],
        ['an empty query', key, ''],
        ['a non-numeric expiry', key, `expires=${expires}x&signature=${signature}`],
        ['an expiry with a leading zero', key, `expires=0${expires}&signature=${signature}`],
        ['a negative expiry', key, `expires=-${expires}&signature=${signature}`],
      ];
      for (const [, k, q] of cases) {
        await expectCode(() => disk.verifySignedUrl(k, q), 'E_SIGNATURE_INVALID');
      }
      await expectCode(() => signer.verify({ method: 'PUT', key, query }), 'E_SIGNATURE_INVALID');
    } finally {
      await box.cleanup();
    }
  });

  it('is E_SIGNATURE_EXPIRED from the expiry second on, and valid one second before', async () => {
    const { box, disk, clock } = await setup();
    try {
      await disk.put('nested/folder/photo.jpg', 'x');
      const { url } = await disk.signedUrl('nested/folder/photo.jpg', { expiresIn: 10 });
      const { key, query } = parse(url);
      clock.now = NOW_MS + 9_999;
      disk.verifySignedUrl(key, query);
      clock.now = NOW_MS + 10_000; // now == expires
      await expectCode(() => disk.verifySignedUrl(key, query), 'E_SIGNATURE_EXPIRED');
      clock.now = NOW_MS + 3_600_000;
      await expectCode(() => disk.verifySignedUrl(key, query), 'E_SIGNATURE_EXPIRED');
    } finally {
      await box.cleanup();
    }
  });

  it.each(['GET', 'PUT'] as const)('%s: a clock partway through a second never lets the URL outlive expiresIn (the expiry is floored)', async (method) => {
    const signedAt = NOW_MS + 999.75; // a fractional millisecond clock, a hair before the next second
    const { box, disk, clock } = await setup({ now: signedAt });
    try {
      await disk.put('a.txt', 'x');
      const signed = method === 'GET' ? await disk.signedUrl('a.txt', { expiresIn: 10 }) : await disk.signedUploadUrl('a.txt', { expiresIn: 10 });
      const { key, query } = parse(signed.url);
      expect(new URLSearchParams(query).get('expires')).toBe(String(NOW_S + 10));
      expect(signed.expiresAt.getTime()).toBe(NOW_MS + 10_000);
      expect(signed.expiresAt.getTime()).toBeLessThanOrEqual(signedAt + 10_000);
      clock.now = NOW_MS + 9_999;
      disk.verifySignedUrl(key, query, method);
      clock.now = NOW_MS + 10_000; // before signedAt + 10 s, and already expired
      await expectCode(() => disk.verifySignedUrl(key, query, method), 'E_SIGNATURE_EXPIRED');
      await expectCode(method === 'GET' ? disk.signedUrl('a.txt', { expiresIn: 9.5 }) : disk.signedUploadUrl('a.txt', { expiresIn: 9.5 }), 'E_EXPIRY_OUT_OF_RANGE');
    } finally {
      await box.cleanup();
    }
  });

  it('reports a forged expired URL as invalid, not expired', async () => {
    const { box, disk, clock } = await setup();
    try {
      clock.now = NOW_MS + 1_000_000;
      await expectCode(() => disk.verifySignedUrl('a.txt', `expires=${NOW_S}&signature=${'A'.repeat(43)}`), 'E_SIGNATURE_INVALID');
    } finally {
      await box.cleanup();
    }
  });

  it.each([0, -1, 1.5, 604801, Number.NaN, Number.POSITIVE_INFINITY])('expiresIn %s is E_EXPIRY_OUT_OF_RANGE', async (expiresIn) => {
    const { box, disk } = await setup();
    try {
      await disk.put('a.txt', 'x');
      await expectCode(disk.signedUrl('a.txt', { expiresIn }), 'E_EXPIRY_OUT_OF_RANGE');
    } finally {
      await box.cleanup();
    }
  });

  it('accepts the bounds 1 and maxExpiresIn (604800 by default)', async () => {
    const { box, disk } = await setup();
    try {
      await disk.put('a.txt', 'x');
      expect((await disk.signedUrl('a.txt', { expiresIn: 1 })).expiresAt.getTime()).toBe(NOW_MS + 1000);
      expect((await disk.signedUrl('a.txt', { expiresIn: 604800 })).expiresAt.getTime()).toBe(NOW_MS + 604_800_000);
    } finally {
      await box.cleanup();
    }
  });

  it('needs the file to exist: E_NOT_FOUND for a missing key', async () => {
    const { box, disk } = await setup();
    try {
      await expectCode(disk.signedUrl('missing.txt', { expiresIn: 60 }), 'E_NOT_FOUND');
    } finally {
      await box.cleanup();
    }
  });

  it('is E_MISCONFIGURED without a signer or without signedUrlBase', async () => {
    const box = await sandbox();
    try {
      const driver = new LocalDriver({ root: box.root });
      await driver.put('a.txt', 'x', {});
      const signer = new UrlSigner({ secret: SECRET });
      await expectCode(new Disk(driver).signedUrl('a.txt', { expiresIn: 60 }), 'E_MISCONFIGURED');
      await expectCode(new Disk(driver, { signer }).signedUrl('a.txt', { expiresIn: 60 }), 'E_MISCONFIGURED');
      await expectCode(new Disk(driver, { signedUrlBase: BASE }).signedUrl('a.txt', { expiresIn: 60 }), 'E_MISCONFIGURED');
      await expectCode(() => new Disk(driver).verifySignedUrl('a.txt', 'expires=1&signature=x'), 'E_MISCONFIGURED');
    } finally {
      await box.cleanup();
    }
  });
});

describe('UrlSigner', () => {
  it('signs base64url HMAC-SHA256 (43 characters) bound to method, key and expiry', () => {
    const signer = new UrlSigner({ secret: SECRET, clock: () => NOW_MS });
    const get = signer.sign({ method: 'GET', key: 'a.txt', expiresAt: NOW_S + 5 });
    expect(get).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signer.sign({ method: 'PUT', key: 'a.txt', expiresAt: NOW_S + 5 })).not.toBe(get);
    expect(signer.sign({ method: 'GET', key: 'b.txt', expiresAt: NOW_S + 5 })).not.toBe(get);
    expect(signer.sign({ method: 'GET', key: 'a.txt', expiresAt: NOW_S + 6 })).not.toBe(get);
    signer.verify({ method: 'PUT', key: 'a.txt', query: `expires=${NOW_S + 5}&signature=${signer.sign({ method: 'PUT', key: 'a.txt', expiresAt: NOW_S + 5 })}` });
  });

  it('signs the canonical key: NFD and NFC spellings share one signature', () => {
    const signer = new UrlSigner({ secret: SECRET, clock: () => NOW_MS });
    const nfc = signer.sign({ method: 'GET', key: 'résumé.pdf', expiresAt: NOW_S + 5 });
    signer.verify({ method: 'GET', key: 're\u0301sume\u0301.pdf', query: `expires=${NOW_S + 5}&signature=${nfc}` });
  });

  it('rejects a signature made with another secret, and accepts previousSecrets during rotation', async () => {
    const old = new UrlSigner({ secret: new Uint8Array(32).fill(1), clock: () => NOW_MS });
    const query = `expires=${NOW_S + 5}&signature=${old.sign({ method: 'GET', key: 'k', expiresAt: NOW_S + 5 })}`;
    await expectCode(() => new UrlSigner({ secret: SECRET, clock: () => NOW_MS }).verify({ method: 'GET', key: 'k', query }), 'E_SIGNATURE_INVALID');
    new UrlSigner({ secret: SECRET, previousSecrets: [new Uint8Array(32).fill(1)], clock: () => NOW_MS }).verify({ method: 'GET', key: 'k', query });
  });

  it('copies the secret, so wiping the caller buffer changes nothing', () => {
    const secret = new Uint8Array(32).fill(9);
    const signer = new UrlSigner({ secret, clock: () => NOW_MS });
    const before = signer.sign({ method: 'GET', key: 'k', expiresAt: NOW_S + 5 });
    secret.fill(0);
    expect(signer.sign({ method: 'GET', key: 'k', expiresAt: NOW_S + 5 })).toBe(before);
  });

  it('refuses secrets shorter than 32 bytes and never echoes them', () => {
    expect(() => new UrlSigner({ secret: new Uint8Array(31).fill(65) })).toThrow(TypeError);
    try {
      new UrlSigner({ secret: Buffer.from('AAAAAAAAAAshort') });
    } catch (err) {
      expect(String(err)).not.toContain('AAAAAAAAAAshort');
    }
  });
});

describe('pinned response headers and signed uploads', () => {
  it('a download URL pins its response type and disposition; changing either breaks the signature', async () => {
    const { box, disk } = await setup();
    try {
      await disk.put('r.bin', 'x');
      const { url, method, headers } = await disk.signedUrl('r.bin', {
        expiresIn: 60, responseContentType: 'text/csv', responseContentDisposition: 'attachment; filename="r 1.csv"',
      });
      expect([method, headers]).toEqual(['GET', {}]);
      expect(url).not.toContain('+');
      const { key, query } = parse(url);
      expect(disk.verifySignedUrl(key, query)).toEqual({
        'response-content-type': 'text/csv', 'response-content-disposition': 'attachment; filename="r 1.csv"',
      });
      const changed = new URL(url);
      changed.searchParams.set('response-content-type', 'text/html');
      await expectCode(() => disk.verifySignedUrl(key, changed.search), 'E_SIGNATURE_INVALID');
      const dropped = new URL(url);
      dropped.searchParams.delete('response-content-disposition');
      await expectCode(() => disk.verifySignedUrl(key, dropped.search), 'E_SIGNATURE_INVALID');
      await expectCode(() => disk.verifySignedUrl(key, `${query}&response-content-type=text%2Fcsv`), 'E_SIGNATURE_INVALID');
    } finally {
      await box.cleanup();
    }
  });

  it('an upload URL can pin the exact length: returned as a header to send, and altering it breaks the signature', async () => {
    const { box, disk } = await setup();
    try {
      const signed = await disk.signedUploadUrl('sized.bin', { expiresIn: 60, contentLength: 12 });
      expect(signed.headers).toEqual({ 'content-length': '12' });
      const { key, query } = parse(signed.url);
      expect(disk.verifySignedUrl(key, query, 'PUT')).toEqual({ 'content-length': '12' });
      await expectCode(() => disk.verifySignedUrl(key, query.replace('content-length=12', 'content-length=13'), 'PUT'), 'E_SIGNATURE_INVALID');
      await expectCode(() => disk.verifySignedUrl(key, query.replace(/&?content-length=12/, ''), 'PUT'), 'E_SIGNATURE_INVALID');
    } finally {
      await box.cleanup();
    }
  });

  it('an upload URL is signed for PUT only, with its content type returned as a header to send', async () => {
    const { box, disk } = await setup();
    try {
      const signed = await disk.signedUploadUrl('new/file.png', { expiresIn: 60, contentType: 'image/png' });
      expect(signed.method).toBe('PUT');
      expect(signed.headers).toEqual({ 'content-type': 'image/png' });
      expect(signed.expiresAt.getTime()).toBe(NOW_MS + 60_000);
      const { key, query } = parse(signed.url);
      expect(disk.verifySignedUrl(key, query, 'PUT')).toEqual({ 'content-type': 'image/png' });
      await expectCode(() => disk.verifySignedUrl(key, query, 'GET'), 'E_SIGNATURE_INVALID');
      expect(await disk.exists('new/file.png')).toBe(false); // an upload URL needs no existing file
      await expectCode(disk.signedUploadUrl('x', { expiresIn: 0 }), 'E_EXPIRY_OUT_OF_RANGE');
      await expect(disk.signedUploadUrl('x', { expiresIn: 5, contentType: 'no type' })).rejects.toThrow(TypeError);
    } finally {
      await box.cleanup();
    }
  });
});
