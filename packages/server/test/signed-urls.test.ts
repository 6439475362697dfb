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
});
