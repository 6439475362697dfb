import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { rangeSuite } from './range-suite.js';
import { createClient, getToken, serverForSuite, walkFiles, withTsforge } from './tsforge.js';

export interface FileApiSuiteOptions {
  /** Settings that choose the storage driver, read when the suite starts. */
  env?: () => NodeJS.ProcessEnv;
  /** On the local driver the suite also checks the data dir for stray and partial files. */
  local: boolean;
}

/**
 * The file API's behaviour, the same on every storage driver: `files-api.test.ts` runs it on
 * local disk, `files-api-s3.test.ts` on an S3-compatible store.
 */
export function fileApiSuite({ env = () => ({}), local }: FileApiSuiteOptions): void {
  const server = serverForSuite(() => ({ env: { ...env(), TSFORGE_MAX_UPLOAD_BYTES: String(1024 * 1024) } }));
  let writer: string;
  let reader: string;

  beforeAll(async () => {
    const client = await createClient(server.dataDir);
    writer = await getToken(server.url, client);
    reader = await getToken(server.url, client, 'files:read');
  });

  const files = (path: string, init: RequestInit = {}, token: string | null = writer) =>
    fetch(`${server.url}/api/files/${path}`, {
      ...init,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) },
    });

  describe('RFC 6750 bearer errors', () => {
    it('§3.1 no token → 401 with a Bearer challenge naming the realm and no error code', async () => {
      const response = await files('a.txt', {}, null);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"$/);
      expect(((await response.json()) as { error: string }).error).toBe('unauthorized');
    });

    it('§3.1 an unknown token → 401 invalid_token', async () => {
      const response = await files('a.txt', {}, 'tfat_' + 'A'.repeat(43));
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });

    it('§3.1 a token without the scope → 403 insufficient_scope naming the scope', async () => {
      const response = await files('a.txt', { method: 'PUT', body: 'x' }, reader);
      expect(response.status).toBe(403);
      expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      expect(response.headers.get('www-authenticate')).toContain('scope="files:write"');
      expect(await response.json()).toMatchObject({ error: 'insufficient_scope', scope: 'files:write' });
    });

    it('an expired token → 401 invalid_token', async () => {
      await withTsforge({ env: { ...env(), TSFORGE_ACCESS_TOKEN_TTL: '1' } }, async (shortLived) => {
        const client = await createClient(shortLived.dataDir);
        const token = await getToken(shortLived.url, client);
        expect((await fetch(`${shortLived.url}/api/files`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
        await new Promise((r) => setTimeout(r, 1100));
        const response = await fetch(`${shortLived.url}/api/files`, { headers: { authorization: `Bearer ${token}` } });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
      });
    });
  });

  describe('keys are checked before anything touches the disk', () => {
    const bad = ['..%2F..%2Fetc%2Fx', 'a/..%2F..%2Fx', '..%5Cx', '%2Fetc%2Fpasswd', 'a%00b', 'a//b', 'a/./b', 'a/../../b', 'a/%2E/b', '%2E%2E/b', 'a%0Ab', 'trailing/'];
    for (const key of bad) {
      it(`PUT /api/files/${key} → 400`, async () => {
        // node:http sends the path as written; fetch would resolve the dot segments first.
        const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const { hostname, port } = new URL(server.url);
          const req = httpRequest({ hostname, port, path: `/api/files/${key}`, method: 'PUT', headers: { authorization: `Bearer ${writer}` } }, (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode!, body }));
          });
          req.on('error', reject);
          req.end('evil');
        });
        expect(response.status).toBe(400);
        expect((JSON.parse(response.body) as { error: string }).error).toBe('invalid_key');
      });
    }

    it('wrote nothing for them, inside or outside the data dir', async () => {
      if (local) expect(walkFiles(server.dataDir).filter((p) => p.startsWith('storage/'))).toEqual([]);
      const listing = await fetch(`${server.url}/api/files`, { headers: { authorization: `Bearer ${reader}` } });
      expect(await listing.json()).toEqual({ files: [], next_cursor: null });
    });

    it('welcomes unicode and punctuation keys', async () => {
      for (const key of ['résumé.pdf', '日本/テスト.txt', 'a+b.txt', 'a b.txt', 'file#1.txt', 'q?x=1&y.txt', '100%.txt']) {
        const path = key.split('/').map(encodeURIComponent).join('/');
        const put = await files(path, { method: 'PUT', body: key });
        expect(put.status, key).toBe(201);
        expect(((await put.json()) as { key: string }).key).toBe(key);
        const get = await files(path);
        expect(await get.text(), key).toBe(key);
      }
    });
  });

  it('404 for a missing key', async () => {
    const response = await files('missing/file.bin');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', error_description: expect.any(String) });
  });

  it('an upload over the limit by Content-Length → 413 unread, the connection closed, nothing stored', async () => {
    const response = await files('big.bin', { method: 'PUT', body: Buffer.alloc(1024 * 1024 + 1) });
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect((await files('big.bin')).status).toBe(404);
  });

  it('a chunked upload that grows past the limit → 413, no file, no partial file', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/files/chunked.bin`, {
        method: 'PUT', headers: { authorization: `Bearer ${writer}`, 'transfer-encoding': 'chunked' },
      }, (res) => { res.resume(); resolve(res.statusCode!); });
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 2 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    }).catch(() => 413);
    expect(status).toBe(413);
    expect((await files('chunked.bin')).status).toBe(404);
    if (local) expect(walkFiles(join(server.dataDir, 'storage')).filter((p) => p.includes('chunked'))).toEqual([]);
  });

  it('an upload aborted half way leaves no file and no partial file, and the old one intact', async () => {
    await files('doc.txt', { method: 'PUT', body: 'ORIGINAL' });
    const url = new URL(server.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`PUT /api/files/doc.txt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${writer}\r\nContent-Length: 100000\r\n\r\n`);
        socket.write('NEW'.repeat(1000), () => setTimeout(() => { socket.destroy(); resolve(); }, 100));
      });
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(await (await files('doc.txt')).text()).toBe('ORIGINAL');
    if (local) expect(walkFiles(join(server.dataDir, 'storage')).filter((p) => p.includes('doc.txt') && p !== 'doc.txt')).toEqual([]);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('RFC 9110 §9.3.4 a PUT that creates → 201 with Location; one that replaces → 200, same body, no Location', async () => {
    const created = await files('put-status.txt', { method: 'PUT', body: 'one', headers: { 'content-type': 'text/plain' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/files/put-status.txt');
    const replaced = await files('put-status.txt', { method: 'PUT', body: 'two!', headers: { 'content-type': 'text/plain' } });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get('location')).toBeNull();
    expect(replaced.headers.get('etag')).toMatch(/^"[0-9a-f]+"$/);
    expect(await replaced.json()).toEqual({
      key: 'put-status.txt', size: 4, etag: replaced.headers.get('etag'), content_type: 'text/plain', last_modified: expect.any(String),
    });
    expect((await files('put-status.txt', { method: 'DELETE' })).status).toBe(204);
    expect((await files('put-status.txt', { method: 'PUT', body: 'three' })).status).toBe(201);
  });

  if (local) {
    it('RFC 9110 §15.5.10 a valid key the stored files conflict with → 409 conflict (a directory or a file in the way), nothing changed', async () => {
      expect((await files('clash/COM1', { method: 'PUT', body: 'inner' })).status).toBe(201);
      for (const key of ['clash', 'clash/COM1/below']) {
        const response = await files(key, { method: 'PUT', body: 'x' });
        expect(response.status, key).toBe(409);
        expect(await response.json()).toEqual({ error: 'conflict', error_description: expect.stringMatching(/director|file/) });
      }
      expect(await (await files('clash/COM1')).text()).toBe('inner');
      expect((await files('clash', { method: 'HEAD' })).status).toBe(404);
    });
  }

  it('a large upload streams to disk byte-exact', async () => {
    const body = Buffer.alloc(900 * 1024, 7);
    const put = await files('large.bin', { method: 'PUT', body });
    expect(put.status).toBe(201);
    if (local) expect(statSync(join(server.dataDir, 'storage', 'large.bin')).size).toBe(body.length);
    expect(Buffer.from(await (await files('large.bin')).arrayBuffer()).equals(body)).toBe(true);
  });

  describe('listing', () => {
    it('pages with limit and cursor', async () => {
      for (const n of [1, 2, 3]) await files(`page/${n}.txt`, { method: 'PUT', body: String(n) });
      const one = await fetch(`${server.url}/api/files?prefix=page/&limit=2`, { headers: { authorization: `Bearer ${reader}` } });
      const page1 = (await one.json()) as { files: { key: string }[]; next_cursor: string };
      expect(page1.files.map((f) => f.key)).toEqual(['page/1.txt', 'page/2.txt']);
      expect(page1.next_cursor).toBe('page/2.txt');
      const two = await fetch(`${server.url}/api/files?prefix=page/&limit=2&cursor=${encodeURIComponent(page1.next_cursor)}`, { headers: { authorization: `Bearer ${reader}` } });
      expect(await two.json()).toMatchObject({ files: [{ key: 'page/3.txt' }], next_cursor: null });
    });

    it('pages in UTF-8 byte order, the order keys are listed in', async () => {
      const keys = ['utf/z', 'utf/\uFF0E', 'utf/\u{1F4A9}'];
      for (const key of keys) await files(key.split('/').map(encodeURIComponent).join('/'), { method: 'PUT', body: key });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `prefix=utf/&limit=1${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
        const page = (await (await fetch(`${server.url}/api/files?${query}`, { headers: { authorization: `Bearer ${reader}` } })).json()) as { files: { key: string }[]; next_cursor: string | null };
        seen.push(...page.files.map((f) => f.key));
        cursor = page.next_cursor;
      } while (cursor !== null);
      expect(seen).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    });

    it('a repeated prefix or a bad limit → 400', async () => {
      for (const q of ['prefix=a&prefix=b', 'limit=0', 'limit=abc', 'limit=5000']) {
        const response = await fetch(`${server.url}/api/files?${q}`, { headers: { authorization: `Bearer ${reader}` } });
        expect(response.status, q).toBe(400);
        expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
      }
    });

    it('a cursor or prefix with a noncharacter, a control character or no content → 400 invalid_key, never 500', async () => {
      const queries = ['cursor=%EF%BF%BF', 'cursor=a%EF%BF%BE', 'prefix=%EF%B7%90', 'prefix=x%F4%8F%BF%BF', 'cursor=a%00b', 'cursor=', 'cursor=' + 'x'.repeat(1025)];
      for (const q of queries) {
        const response = await fetch(`${server.url}/api/files?${q}`, { headers: { authorization: `Bearer ${reader}` } });
        expect(response.status, q).toBe(400);
        expect(await response.json(), q).toEqual({ error: 'invalid_key', error_description: expect.any(String) });
      }
    });

    it('a key with a noncharacter is refused on PUT (400) and the listing keeps working', async () => {
      const response = await files('nonchar/%EF%BF%BF.txt', { method: 'PUT', body: 'x' });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_key');
      const list = await fetch(`${server.url}/api/files?prefix=nonchar/`, { headers: { authorization: `Bearer ${reader}` } });
      expect(list.status).toBe(200);
      expect(await list.json()).toEqual({ files: [], next_cursor: null });
    });
  });

  rangeSuite(server);
}
