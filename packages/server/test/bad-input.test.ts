import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, getToken, rawRequest as raw, serverForSuite, until, walkFiles, withTsforge } from './support/tsforge.js';

describe('bad input never hurts the server', () => {
  const server = serverForSuite();
  let token: string;

  beforeAll(async () => {
    token = await getToken(server.url, await createClient(server.dataDir));
  });
  afterAll(() => {
    expect(server.stderr()).toBe('');
  });

  const cases: { name: string; init: () => [string, RequestInit]; status: number; error: string }[] = [
    { name: 'an anonymous signed-URL request with malformed JSON (auth comes before parsing)', init: () => ['/api/files/a/signed-url', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"expires_in":' }], status: 401, error: 'unauthorized' },
    { name: 'an anonymous upload with an unparseable Content-Type', init: () => ['/api/files/a', { method: 'PUT', headers: { 'content-type': '/' }, body: 'x' }], status: 401, error: 'unauthorized' },
    { name: 'malformed JSON for a signed URL', init: () => ['/api/files/a/signed-url', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"expires_in":' }], status: 400, error: 'invalid_request' },
    { name: 'a wrong content type for a signed URL', init: () => ['/api/files/a/signed-url', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/xml' }, body: '<x/>' }], status: 415, error: 'unsupported_media_type' },
    { name: 'a JSON body over the limit', init: () => ['/api/files/a/signed-url', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }) }], status: 413, error: 'payload_too_large' },
    { name: 'a malformed form body at the token endpoint', init: () => ['/oauth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '%%%&&&===' }], status: 400, error: 'invalid_request' },
    { name: 'an unknown route', init: () => ['/nothing/here', {}], status: 404, error: 'not_found' },
    { name: 'RFC 9110 §15.5.6: a method the route lacks → 405', init: () => ['/health', { method: 'DELETE' }], status: 405, error: 'method_not_allowed' },
    { name: 'RFC 6749 §3.2: GET at the token endpoint', init: () => ['/oauth/token', { method: 'GET' }], status: 405, error: 'invalid_request' },
    { name: 'a Bearer header with two tokens', init: () => ['/api/files', { headers: { authorization: 'Bearer a b' } }], status: 400, error: 'invalid_request' },
    { name: 'a Basic header where Bearer is needed', init: () => ['/api/files', { headers: { authorization: 'Basic Zm9vOmJhcg==' } }], status: 401, error: 'unauthorized' },
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

  const malformed: [string, string | Buffer, number, string][] = [
    ['huge headers', `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`, 431, 'headers_too_large'],
    ['garbage instead of HTTP', Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]), 400, 'invalid_request'],
    ['both Content-Length and Transfer-Encoding', 'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'invalid_request'],
    ['a negative Content-Length', 'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', 400, 'invalid_request'],
    ['a bad chunk size', 'PUT /api/files/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', 400, 'invalid_request'],
  ];
  for (const [name, request, status, error] of malformed) {
    it(`${name} → ${status} in the usual JSON shape, then the server still answers`, async () => {
      const response = await raw(server.url, request);
      expect(response.status).toBe(status);
      expect(response.headers).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(response.body)).toEqual({ error, error_description: expect.any(String) });
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    });
  }

  it('a body that turns out malformed mid-request is logged with the 400 it got', async () => {
    const response = await raw(server.url, 'POST /oauth/token HTTP/1.1\r\nHost: x\r\nX-Request-Id: bad-chunk-1\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ngrant\r\nzz\r\n');
    expect(response.status).toBe(400);
    await until(() => server.logs().some((l) => l.request_id === 'bad-chunk-1'));
    expect(server.logs().find((l) => l.request_id === 'bad-chunk-1')).toMatchObject({ status: 400, aborted: true, msg: 'request cut off by the server' });
  });

  it('two Authorization headers on the file API → 400 invalid_request (RFC 6750 §3.1)', async () => {
    for (const pair of [[`Bearer ${token}`, 'Bearer bad'], ['Bearer bad', `Bearer ${token}`]]) {
      const response = await raw(server.url, `GET /api/files HTTP/1.1\r\nHost: x\r\nAuthorization: ${pair[0]}\r\nAuthorization: ${pair[1]}\r\nConnection: close\r\n\r\n`);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('an upload in a transfer coding other than chunked → 501, nothing stored', async () => {
    const response = await raw(server.url, `PUT /api/files/gz.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n`);
    expect(response.status).toBe(501);
    expect((await fetch(`${server.url}/api/files/gz.bin`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it('a client that aborts an upload is a warning, not a server error', async () => {
    await raw(server.url, `PUT /api/files/abort.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nX-Request-Id: abort-upload-1\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(5000)}`);
    await until(() => server.logs().some((l) => l.request_id === 'abort-upload-1' && 'status' in l));
    await new Promise((r) => setTimeout(r, 200));
    const lines = server.logs().filter((l) => l.request_id === 'abort-upload-1');
    expect(lines.map((l) => l.level)).not.toContain('error');
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', status: 499, aborted: true, msg: 'request aborted by the client' })]);
    expect(walkFiles(join(server.dataDir, 'storage')).filter((p) => p.includes('abort'))).toEqual([]);
  });
});

describe('slow clients cannot hold the server', () => {
  it('a body that trickles in past the deadline → 408, and the connection is closed', async () => {
    await withTsforge({ env: { TSFORGE_BODY_TIMEOUT_MS: '500' } }, async (server) => {
      const { hostname, port } = new URL(server.url);
      const socket = connect(Number(port), hostname);
      socket.write('POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant');
      let data = '';
      socket.setEncoding('utf8').on('data', (d: string) => (data += d));
      await new Promise((r) => socket.once('close', r));
      expect(data.slice(9, 12)).toBe('408');
      expect(data).toContain('"error":"request_timeout"');
    });
  });

  it('RFC 9110 §15.5.9: an upload slower than the minimum rate gets a 408 with Connection: close, and leaves no file', async () => {
    await withTsforge({ env: { TSFORGE_MIN_UPLOAD_RATE: '100000', TSFORGE_MIN_UPLOAD_RATE_WINDOW_MS: '300' } }, async (server) => {
      const token = await getToken(server.url, await createClient(server.dataDir));
      const { hostname, port } = new URL(server.url);
      const socket = connect(Number(port), hostname);
      socket.on('error', () => {});
      socket.write(`PUT /api/files/slow.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nX-Request-Id: slow-upload-1\r\nContent-Length: 100000\r\n\r\nabc`);
      let data = '';
      socket.setEncoding('utf8').on('data', (d: string) => (data += d));
      const trickle = setInterval(() => socket.writable && socket.write('x'), 50);
      await new Promise((r) => socket.once('close', r));
      clearInterval(trickle);
      expect(data.slice(0, 12)).toBe('HTTP/1.1 408');
      expect(data).toMatch(/^connection: close$/im);
      expect(JSON.parse(data.slice(data.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'request_timeout', error_description: expect.stringContaining('bytes/s') });
      await until(() => server.logs().some((l) => l.request_id === 'slow-upload-1' && 'status' in l));
      expect(server.logs().filter((l) => l.request_id === 'slow-upload-1')).toContainEqual(expect.objectContaining({ status: 408, msg: 'request cut off by the server' }));
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(server.logs().filter((l) => l.request_id === 'slow-upload-1' && l.level !== 'debug' && !('status' in l))).toEqual([]);
      expect(server.stderr()).toBe('');
      expect(metrics).toMatch(/^http_requests_total\{[^}]*route="\/api\/files\/\*"[^}]*status="408"[^}]*\} 1$/m);
      expect((await fetch(`${server.url}/api/files/slow.bin`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    });
  });
});


