import { beforeAll, expect, it } from 'vitest';
import { fileApiSuite } from './support/file-api-suite.js';
import { describeSwift, swiftForSuite } from './support/swift.js';
import { createClient, getToken, serverForSuite } from './support/tsforge.js';

describeSwift('the bearer-protected file API on S3 (Swift, SigV4 checked)', () => {
  const swift = swiftForSuite();
  fileApiSuite({ local: false, env: () => swift.env() });
});

describeSwift('signed URLs on S3 are presigned by the store', () => {
  const swift = swiftForSuite('tsforge-signed');
  const server = serverForSuite(() => ({ env: swift.env() }));
  let token: string;
  beforeAll(async () => {
    token = await getToken(server.url, await createClient(server.dataDir));
  });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/files/${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

  it('signed-url answers a presigned GET on the store that plain fetch can use; altered → 403', async () => {
    await api('a%20b/photo.txt', { method: 'PUT', body: 'pixels', headers: { 'content-type': 'text/plain' } });
    const response = await api('a%20b/photo.txt/signed-url', { method: 'POST', body: JSON.stringify({ expires_in: 60 }) });
    expect(response.status).toBe(200);
    const { url, expires_at } = (await response.json()) as { url: string; expires_at: string };
    expect(url.startsWith(`${swift.server().endpoint}/tsforge-signed/a%20b/photo.txt?`)).toBe(true);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
    expect(Date.parse(expires_at)).toBeGreaterThan(Date.now());
    const file = await fetch(url);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('pixels');
    expect((await fetch(url.replace('photo.txt', 'photo.txu'))).status).toBe(403);
    expect((await fetch(url, { method: 'PUT', body: 'x' })).status).toBe(403);
  });

  it('upload-url answers a presigned PUT, so the bytes go straight to the store', async () => {
    const response = await api('direct/up.png/upload-url', { method: 'POST', body: JSON.stringify({ expires_in: 120, content_type: 'image/png', size: 4 }) });
    expect(response.status).toBe(200);
    const signed = (await response.json()) as { url: string; method: string; headers: Record<string, string> };
    expect(signed.method).toBe('PUT');
    expect(signed.headers).toEqual({ 'content-type': 'image/png', 'content-length': '4' });
    expect(signed.url.startsWith(swift.server().endpoint)).toBe(true);
    expect((await fetch(signed.url, { method: 'PUT', body: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(403);
    expect((await fetch(signed.url, { method: 'PUT', body: 'png!', headers: signed.headers })).status).toBe(200);
    const back = await api('direct/up.png');
    expect(back.headers.get('content-type')).toBe('image/png');
    expect(await back.text()).toBe('png!');
  });

  it('upload-url refuses a size over TSFORGE_MAX_UPLOAD_BYTES (413), and the store refuses a body of another length than signed', async () => {
    const over = await api('direct/big.bin/upload-url', { method: 'POST', body: JSON.stringify({ expires_in: 60, size: 1024 ** 3 + 1 }) });
    expect(over.status).toBe(413);
    expect(await over.json()).toEqual({ error: 'payload_too_large', error_description: `uploads are limited to ${1024 ** 3} bytes` });
    const missing = await api('direct/big.bin/upload-url', { method: 'POST', body: JSON.stringify({ expires_in: 60 }) });
    expect(missing.status).toBe(400);
    const made = await api('direct/five.bin/upload-url', { method: 'POST', body: JSON.stringify({ expires_in: 60, size: 5 }) });
    const { url } = (await made.json()) as { url: string };
    // The Swift store checks the signed Content-Length: a longer body (the limit's bypass) is refused.
    expect((await fetch(url, { method: 'PUT', body: 'x'.repeat(64 * 1024) })).status).toBe(403);
    expect((await fetch(url, { method: 'PUT', body: 'abcd' })).status).toBe(403);
    expect((await api('direct/five.bin', { method: 'HEAD' })).status).toBe(404);
    expect((await fetch(url, { method: 'PUT', body: 'abcde' })).status).toBe(200);
  });

  it('an expiry over 604800 s → 400 before any request to the store', async () => {
    await api('e.txt', { method: 'PUT', body: 'x' });
    const response = await api('e.txt/signed-url', { method: 'POST', body: JSON.stringify({ expires_in: 604801 }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('604800') });
  });
});
