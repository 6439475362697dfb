import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, createClient, serverForSuite, type Client } from './support/tsforge.js';
import { scrapeMetrics } from './support/metrics.js';

// The README walkthrough, step by step, against the built CLI.
describe('README walkthrough', () => {
  const server = serverForSuite();
  let client: Client;
  let token: string;

  beforeAll(async () => {
    client = await createClient(server.dataDir);
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('creates a client whose secret carries at least 256 bits', () => {
    expect(client.client_id).toMatch(/^\S+$/);
    expect(Buffer.from(client.client_secret, 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('gets a token with client_credentials (RFC 6749 §4.4, §5.1)', async () => {
    const response = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'files:read files:write' });
    expect(body).not.toHaveProperty('refresh_token');
    token = body.access_token as string;
    expect(token.length).toBeGreaterThanOrEqual(43);
  });

  it('uploads, lists, downloads and deletes a file', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const put = await fetch(`${server.url}/api/files/docs/hello.txt`, {
      method: 'PUT', headers: { ...auth, 'content-type': 'text/plain' }, body: 'hello, tsforge\n',
    });
    expect(put.status).toBe(201);
    const stored = (await put.json()) as Record<string, unknown>;
    expect(stored).toMatchObject({ key: 'docs/hello.txt', size: 15, etag: expect.stringMatching(/^".+"$/), content_type: 'text/plain' });
    expect(put.headers.get('etag')).toBe(stored.etag);

    const list = await fetch(`${server.url}/api/files?prefix=docs/`, { headers: auth });
    expect(list.status).toBe(200);
    const listed = (await list.json()) as { files: Record<string, unknown>[]; next_cursor: string | null };
    expect(listed.files).toEqual([{ key: 'docs/hello.txt', size: 15, etag: stored.etag, content_type: 'text/plain', last_modified: expect.any(String) }]);
    expect(listed.next_cursor).toBeNull();

    const get = await fetch(`${server.url}/api/files/docs/hello.txt`, { headers: auth });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('text/plain');
    expect(get.headers.get('content-length')).toBe('15');
    expect(get.headers.get('etag')).toBe(stored.etag);
    expect(await get.text()).toBe('hello, tsforge\n');

    const head = await fetch(`${server.url}/api/files/docs/hello.txt`, { method: 'HEAD', headers: auth });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('15');

    const cached = await fetch(`${server.url}/api/files/docs/hello.txt`, { headers: { ...auth, 'if-none-match': String(stored.etag) } });
    expect(cached.status).toBe(304);

    const del = await fetch(`${server.url}/api/files/docs/hello.txt`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(204);
    const gone = await fetch(`${server.url}/api/files/docs/hello.txt`, { headers: auth });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: 'not_found', error_description: expect.any(String) });
  });

  it('makes a signed URL that works without a token', async () => {
    const auth = { authorization: `Bearer ${token}` };
    await fetch(`${server.url}/api/files/report.csv`, { method: 'PUT', headers: { ...auth, 'content-type': 'text/csv' }, body: 'a,b\n1,2\n' });
    const signed = await fetch(`${server.url}/api/files/report.csv/signed-url`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ expires_in: 300 }),
    });
    expect(signed.status).toBe(200);
    const { url, expires_at } = (await signed.json()) as { url: string; expires_at: string };
    expect(url.startsWith(`${server.url}/files/report.csv?`)).toBe(true);
    const expiresIn = (Date.parse(expires_at) - Date.now()) / 1000;
    expect(expiresIn).toBeGreaterThan(290);
    expect(expiresIn).toBeLessThanOrEqual(301);

    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('a,b\n1,2\n');
    expect(download.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''report.csv");
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves /metrics and /health', async () => {
    const { response, text } = await scrapeMetrics(server.url);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text).toMatch(/http_requests_total\{method="PUT",route="\/api\/files\/\*",status="201"\} \d+/);
    expect(text).toContain('active_connections');
    expect(text).toContain('process_cpu_user_seconds_total');

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });
});
