import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, getToken, removeDir, startTsforge, type RunningTsforge } from './support/tsforge.js';

/** Sends raw bytes and returns the status line and the body, so nothing normalizes the request for us. */
function raw(url: string, request: string | Buffer): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let data = '';
    socket.setEncoding('utf8').on('data', (d: string) => (data += d));
    // The server may answer and close before it has read all we send (431): keep its answer.
    socket.on('error', (err) => (data ? socket.destroy() : reject(err)));
    socket.on('close', () => resolve({ status: Number(data.slice(9, 12)), text: data }));
  });
}

describe('bad input never hurts the server', () => {
  let server: RunningTsforge;
  let token: string;

  beforeAll(async () => {
    server = await startTsforge();
    token = await getToken(server.url, await createClient(server.dataDir));
  });
  afterAll(async () => {
    expect(server.stderr()).toBe('');
    await server.stop();
    removeDir(server.dataDir);
  });

  const cases: { name: string; init: () => [string, RequestInit]; status: number; error: string }[] = [
    { name: 'malformed JSON for a signed URL', init: () => ['/api/files/a/signed-url', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"expires_in":' }], status: 400, error: 'invalid_request' },
    { name: 'a wrong content type for a signed URL', init: () => ['/api/files/a/signed-url', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/xml' }, body: '<x/>' }], status: 415, error: 'unsupported_media_type' },
    { name: 'a JSON body over the limit', init: () => ['/api/files/a/signed-url', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }) }], status: 413, error: 'payload_too_large' },
    { name: 'a malformed form body at the token endpoint', init: () => ['/oauth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '%%%&&&===' }], status: 400, error: 'invalid_request' },
    { name: 'an unknown route', init: () => ['/nothing/here', {}], status: 404, error: 'not_found' },
    { name: 'a method the route lacks', init: () => ['/oauth/token', { method: 'GET' }], status: 404, error: 'not_found' },
    { name: 'a Bearer header with two tokens', init: () => ['/api/files', { headers: { authorization: 'Bearer a b' } }], status: 400, error: 'invalid_request' },
    { name: 'a Basic header where Bearer is needed', init: () => ['/api/files', { headers: { authorization: 'Basic Zm9vOmJhcg==' } }], status: 401, error: 'invalid_token' },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.error}`, async () => {
      const [path, init] = c.init();
      const response = await fetch(server.url + path, init);
      const text = await response.text();
      expect(response.status, text).toBe(c.status);
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(body.error).toBe(c.error);
      expect(text).not.toMatch(/\bat .+:\d+:\d+/);
    });
  }

  it('a malformed URL escape → 400', async () => {
    const response = await raw(server.url, 'GET /api/files/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(response.status).toBe(400);
  });

  it('huge headers → 431, then the server still answers', async () => {
    const response = await raw(server.url, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`);
    expect(response.status).toBe(431);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('garbage instead of HTTP → 400, then the server still answers', async () => {
    const response = await raw(server.url, Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]));
    expect(response.status).toBe(400);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
