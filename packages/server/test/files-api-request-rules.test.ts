import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { createClient, getToken, serverForSuite } from './support/tsforge.js';

/**
 * Sends the request as written (repeated or malformed headers intact) and keeps the socket open
 * for writing: a half-closed upload counts as abandoned. `Connection: close` ends the exchange.
 */
function rawRequest(url: string, request: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let data = '';
    socket.setEncoding('utf8').on('data', (d: string) => (data += d));
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(data.slice(9, 12)), body: data.slice(data.indexOf('\r\n\r\n') + 4) }));
  });
}

describe('what the file API refuses in a request, before anything is stored (local disk)', () => {
  const server = serverForSuite();
  let token: string;
  beforeAll(async () => {
    token = await getToken(server.url, await createClient(server.dataDir));
  });
  const files = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/files/${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
  const stored = async (key: string) => (await files(key, { method: 'HEAD' })).status === 200;

  it('RFC 9110 §9.3.4 / §14.4: a PUT with Content-Range → 400, nothing stored', async () => {
    const response = await files('range/part.bin', { method: 'PUT', body: 'abc', headers: { 'content-range': 'bytes 0-2/10' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: 'Content-Range is not accepted on PUT: send the whole file' });
    expect(await stored('range/part.bin')).toBe(false);
  });

  it('RFC 9110 §9.3.4: a signed upload URL refuses Content-Range too', async () => {
    const made = await files('range/signed.bin/upload-url', { method: 'POST', body: '{"expires_in":60,"size":3}', headers: { 'content-type': 'application/json' } });
    const { url } = (await made.json()) as { url: string };
    const response = await fetch(url, { method: 'PUT', body: 'abc', headers: { 'content-range': 'bytes 0-2/3' } });
    expect(response.status).toBe(400);
    expect(await stored('range/signed.bin')).toBe(false);
  });

  it.each(['gzip', 'br', 'x-unknown', 'identity, gzip'])('RFC 9110 §8.4, §15.5.16: Content-Encoding %s → 415 with Accept-Encoding: identity', async (coding) => {
    const response = await files('coded.txt', { method: 'PUT', body: 'abc', headers: { 'content-encoding': coding } });
    expect(response.status).toBe(415);
    expect(response.headers.get('accept-encoding')).toBe('identity');
    expect(await response.json()).toEqual({
      error: 'unsupported_media_type',
      error_description: 'Content-Encoding is not supported on uploads: send the file\'s own bytes (identity)',
    });
    expect(await stored('coded.txt')).toBe(false);
  });

  it('Content-Encoding: identity is the bytes as they are: stored', async () => {
    expect((await files('identity.txt', { method: 'PUT', body: 'abc', headers: { 'content-encoding': 'identity' } })).status).toBe(201);
  });

  it.each(['/', 'text', 'text/plain, text/html', 'text/plain; charset', 'te xt/plain', ''])('RFC 9110 §8.3.1: a malformed Content-Type %j → 400, nothing stored', async (type) => {
    const response = await rawRequest(server.url, [
      'PUT /api/files/typed.txt HTTP/1.1', 'Host: x', `Authorization: Bearer ${token}`, `Content-Type: ${type}`,
      'Content-Length: 3', 'Connection: close', '', 'abc',
    ].join('\r\n'));
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'invalid_request', error_description: 'Content-Type must be a media type like "image/png" (RFC 9110 §8.3.1)' });
    expect(await stored('typed.txt')).toBe(false);
  });

  it('RFC 9110 §5.3: Content-Type sent twice → 400 (not the first one silently)', async () => {
    const response = await rawRequest(server.url, [
      'PUT /api/files/twice.txt HTTP/1.1', 'Host: x', `Authorization: Bearer ${token}`, 'Content-Type: text/plain', 'Content-Type: text/html',
      'Content-Length: 3', 'Connection: close', '', 'abc',
    ].join('\r\n'));
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'invalid_request', error_description: 'Content-Type must be sent at most once' });
    expect(await stored('twice.txt')).toBe(false);
  });

  it('no Content-Type (curl -T) is stored as application/octet-stream; form-urlencoded (curl --data-binary) as sent', async () => {
    const none = await rawRequest(server.url, [
      'PUT /api/files/plain.txt HTTP/1.1', 'Host: x', `Authorization: Bearer ${token}`, 'Content-Length: 3', 'Connection: close', '', 'abc',
    ].join('\r\n'));
    expect(none.status).toBe(201);
    expect((await files('plain.txt', { method: 'HEAD' })).headers.get('content-type')).toBe('application/octet-stream');
    await files('form.txt', { method: 'PUT', body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect((await files('form.txt', { method: 'HEAD' })).headers.get('content-type')).toBe('application/x-www-form-urlencoded');
  });

  describe('the list API takes limit as a plain decimal number from 1 to 1000', () => {
    it.each(['1e2', '10abc', '%205', '5%20', '0x10', '-1', '0', '1001', '1000000000000', '', '%2B5', '1.0', '１０'])('limit=%s → 400', async (limit) => {
      const response = await fetch(`${server.url}/api/files?limit=${limit}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'invalid_request', error_description: 'limit must be a whole number from 1 to 1000' });
    });

    it.each(['1', '1000', '007'])('limit=%s → 200', async (limit) => {
      const response = await fetch(`${server.url}/api/files?limit=${limit}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
    });
  });
});
