import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, getToken, serverForSuite } from './support/tsforge.js';

describe('signed URLs', () => {
  const server = serverForSuite();
  let token: string;

  beforeAll(async () => {
    token = await getToken(server.url, await createClient(server.dataDir));
  });

  const auth = () => ({ authorization: `Bearer ${token}` });
  const sign = async (key: string, body: unknown = { expires_in: 300 }) => {
    const path = key.split('/').map(encodeURIComponent).join('/');
    return fetch(`${server.url}/api/files/${path}/signed-url`, {
      method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
  };
  const upload = (key: string, body: string) =>
    fetch(`${server.url}/api/files/${key.split('/').map(encodeURIComponent).join('/')}`, { method: 'PUT', headers: auth(), body });

  it('each key gets a URL for exactly that key, its ?, & and # encoded', async () => {
    for (const key of ['file#1.txt', 'a?expires=9999999999&x=.txt', 'nested/folder/photo.jpg']) {
      await upload(key, `body of ${key}`);
      const { url } = (await (await sign(key)).json()) as { url: string };
      const parsed = new URL(url);
      expect([...parsed.searchParams.keys()].sort()).toEqual(['expires', 'signature']);
      const response = await fetch(url);
      expect(response.status, key).toBe(200);
      expect(await response.text()).toBe(`body of ${key}`);
    }
  });

  it('an altered key, expiry or signature → 403', async () => {
    await upload('secret.txt', 'top');
    await upload('other.txt', 'other');
    const { url } = (await (await sign('secret.txt')).json()) as { url: string };
    const u = new URL(url);
    const variants = [
      url.replace('/files/secret.txt', '/files/other.txt'),
      (() => { const v = new URL(u); v.searchParams.set('expires', String(Number(u.searchParams.get('expires')) + 1)); return v.toString(); })(),
      (() => { const v = new URL(u); const s = v.searchParams.get('signature')!; v.searchParams.set('signature', (s[0] === 'A' ? 'B' : 'A') + s.slice(1)); return v.toString(); })(),
      `${url}&expires=9999999999`,
      `${url}&extra=1`,
      url.replace(/signature=[^&]+/, 'signature='),
      `${server.url}/files/secret.txt`,
    ];
    for (const variant of variants) {
      const response = await fetch(variant);
      expect(response.status, variant).toBe(403);
      expect(((await response.json()) as { error: string }).error).toMatch(/signature/);
    }
  });

  it('an expired URL → 403', async () => {
    await upload('soon.txt', 'x');
    const { url } = (await (await sign('soon.txt', { expires_in: 1 })).json()) as { url: string };
    await new Promise((r) => setTimeout(r, 2100));
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'expired_signature', error_description: expect.any(String) });
  });

  it('bad expiries and bodies → 400; a missing file → 404', async () => {
    await upload('e.txt', 'x');
    for (const body of [{ expires_in: 0 }, { expires_in: -5 }, { expires_in: 604801 }, { expires_in: 1.5 }, { expires_in: '60' }, [1]]) {
      const response = await sign('e.txt', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect((await sign('nope.txt')).status).toBe(404);
  });

  it('a token without files:read cannot sign', async () => {
    const writeOnly = await getToken(server.url, await createClient(server.dataDir, 'files:write'));
    const response = await fetch(`${server.url}/api/files/e.txt/signed-url`, { method: 'POST', headers: { authorization: `Bearer ${writeOnly}` } });
    expect(response.status).toBe(403);
  });

  describe('upload URLs (local disk: a signed PUT to /files/<key>)', () => {
    const uploadUrl = async (key: string, body: unknown = { expires_in: 300, size: 13 }, bearer = token) =>
      fetch(`${server.url}/api/files/${key.split('/').map(encodeURIComponent).join('/')}/upload-url`, {
        method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });

    it('returns {url, method, headers, expires_at}; a PUT with plain fetch stores the body', async () => {
      const response = await uploadUrl('in/box#1.txt');
      expect(response.status).toBe(200);
      const signed = (await response.json()) as { url: string; method: string; headers: Record<string, string>; expires_at: string };
      expect(signed.method).toBe('PUT');
      expect(signed.headers).toEqual({ 'content-length': '13' });
      expect(signed.url.startsWith(`${server.url}/files/in/box%231.txt?expires=`)).toBe(true);
      const put = await fetch(signed.url, { method: 'PUT', body: 'sent directly', headers: { 'content-type': 'text/plain' } });
      expect(put.status).toBe(201);
      expect(await put.json()).toMatchObject({ key: 'in/box#1.txt', size: 13, content_type: 'text/plain' });
      const get = await fetch(`${server.url}/api/files/in/box%231.txt`, { headers: auth() });
      expect(await get.text()).toBe('sent directly');
    });

    it('RFC 9110 §9.3.4 a signed PUT that replaces a file → 200 (201 only when it creates one), same body', async () => {
      await upload('again.txt', 'first version');
      const { url } = (await (await uploadUrl('again.txt', { expires_in: 60, size: 6 })).json()) as { url: string };
      const put = await fetch(url, { method: 'PUT', body: 'second', headers: { 'content-type': 'text/plain' } });
      expect(put.status).toBe(200);
      expect(put.headers.get('location')).toBeNull();
      expect(await put.json()).toMatchObject({ key: 'again.txt', size: 6, content_type: 'text/plain' });
    });

    it('a pinned content type must be sent exactly (403 otherwise, nothing stored)', async () => {
      const signed = (await (await uploadUrl('typed.png', { expires_in: 60, content_type: 'image/png', size: 3 })).json()) as { url: string; headers: Record<string, string> };
      expect(signed.headers).toEqual({ 'content-type': 'image/png', 'content-length': '3' });
      const wrong = await fetch(signed.url, { method: 'PUT', body: '<script>', headers: { 'content-type': 'text/html' } });
      expect(wrong.status).toBe(403);
      expect((await fetch(`${server.url}/api/files/typed.png`, { headers: auth() })).status).toBe(404);
      expect((await fetch(signed.url, { method: 'PUT', body: 'png', headers: signed.headers })).status).toBe(201);
    });

    it('upload and download URLs are signed apart: neither works for the other method; altered or expired → 403', async () => {
      await upload('both.txt', 'original');
      const download = ((await (await sign('both.txt')).json()) as { url: string }).url;
      const put = await fetch(download, { method: 'PUT', body: 'overwritten' });
      expect(put.status).toBe(403);
      const uploadTo = ((await (await uploadUrl('both.txt')).json()) as { url: string }).url;
      expect((await fetch(uploadTo)).status).toBe(403);
      expect((await fetch(uploadTo.replace('both.txt', 'other.txt'), { method: 'PUT', body: 'x' })).status).toBe(403);
      expect((await fetch(uploadTo.replace(/expires=\d+/, (m) => `expires=${Number(m.slice(8)) + 1}`), { method: 'PUT', body: 'x' })).status).toBe(403);
      const soon = ((await (await uploadUrl('both.txt', { expires_in: 1, size: 4 })).json()) as { url: string }).url;
      await new Promise((r) => setTimeout(r, 2100));
      const late = await fetch(soon, { method: 'PUT', body: 'late' });
      expect(late.status).toBe(403);
      expect(await late.json()).toEqual({ error: 'expired_signature', error_description: expect.any(String) });
      expect(await (await fetch(`${server.url}/api/files/both.txt`, { headers: auth() })).text()).toBe('original');
    });

    it('making an upload URL needs files:write; a bad content_type → 400', async () => {
      const readOnly = await getToken(server.url, await createClient(server.dataDir, 'files:read'));
      expect((await uploadUrl('x.txt', { expires_in: 60 }, readOnly)).status).toBe(403);
      // The same route with the suffix's slash percent-encoded: still an upload URL, still files:write.
      const encoded = await fetch(`${server.url}/api/files/x.txt%2Fupload-url`, {
        method: 'POST', headers: { authorization: `Bearer ${readOnly}`, 'content-type': 'application/json' }, body: '{}',
      });
      expect(encoded.status).toBe(403);
      expect((await uploadUrl('x.txt', { expires_in: 60, size: 1, content_type: 'not a type' })).status).toBe(400);
      expect((await uploadUrl('x.txt', { expires_in: 604801, size: 1 })).status).toBe(400);
    });

    it.each([{}, { size: -1 }, { size: 1.5 }, { size: '5' }, { size: null }])('an upload URL needs the size in bytes: %j → 400', async (body) => {
      const response = await uploadUrl('sized.txt', { expires_in: 60, ...body });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'invalid_request', error_description: 'body must state the upload\'s size in bytes, like {"size": 1234, "expires_in": 3600}' });
    });

    it('a size over TSFORGE_MAX_UPLOAD_BYTES → 413, no URL; the signed size must be sent exactly (403 otherwise)', async () => {
      const over = await uploadUrl('big.bin', { expires_in: 60, size: 1024 ** 3 + 1 });
      expect(over.status).toBe(413);
      expect(await over.json()).toEqual({ error: 'payload_too_large', error_description: `uploads are limited to ${1024 ** 3} bytes` });
      const { url } = (await (await uploadUrl('four.bin', { expires_in: 60, size: 4 })).json()) as { url: string };
      for (const body of ['abc', 'abcde']) expect((await fetch(url, { method: 'PUT', body })).status).toBe(403);
      expect((await fetch(`${server.url}/api/files/four.bin`, { method: 'HEAD', headers: auth() })).status).toBe(404);
      expect((await fetch(url, { method: 'PUT', body: 'abcd' })).status).toBe(201);
    });
  });
});
