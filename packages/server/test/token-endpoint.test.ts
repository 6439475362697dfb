import { beforeAll, describe, expect, it } from 'vitest';
import { basic, createClient, rawRequest, serverForSuite, type Client } from './support/tsforge.js';

const FORM = 'application/x-www-form-urlencoded';

describe('POST /oauth/token over HTTP (RFC 6749 §3.2, §4.4, §5)', () => {
  const server = serverForSuite();
  let client: Client;
  let readOnly: Client;

  beforeAll(async () => {
    client = await createClient(server.dataDir);
    readOnly = await createClient(server.dataDir, 'files:read');
  });

  const post = (headers: Record<string, string>, body: string) =>
    fetch(`${server.url}/oauth/token`, { method: 'POST', headers, body });

  it('client_secret_post authenticates too (§2.3.1)', async () => {
    const response = await post({ 'content-type': FORM }, new URLSearchParams({
      grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, scope: 'files:read',
    }).toString());
    expect(response.status).toBe(200);
    expect(((await response.json()) as { scope: string }).scope).toBe('files:read');
  });

  const cases: { name: string; headers: () => Record<string, string>; body: () => string; status: number; error: string; challenge?: boolean }[] = [
    { name: '§5.2 wrong secret over Basic → 401 invalid_client with a Basic challenge', headers: () => ({ authorization: basic(client.client_id, 'wrong'), 'content-type': FORM }), body: () => 'grant_type=client_credentials', status: 401, error: 'invalid_client', challenge: true },
    { name: '§5.2 unknown client over Basic → the same 401', headers: () => ({ authorization: basic('nobody', 'x'), 'content-type': FORM }), body: () => 'grant_type=client_credentials', status: 401, error: 'invalid_client', challenge: true },
    { name: '§5.2 no client authentication at all → 401 invalid_client', headers: () => ({ 'content-type': FORM }), body: () => 'grant_type=client_credentials', status: 401, error: 'invalid_client' },
    { name: '§5.2 unknown grant_type → 400 unsupported_grant_type', headers: () => ({ authorization: basic(client.client_id, client.client_secret), 'content-type': FORM }), body: () => 'grant_type=urn:example:x', status: 400, error: 'unsupported_grant_type' },
    { name: '§5.2 missing grant_type → 400 invalid_request', headers: () => ({ authorization: basic(client.client_id, client.client_secret), 'content-type': FORM }), body: () => '', status: 400, error: 'invalid_request' },
    { name: '§3.2 a parameter sent twice → 400 invalid_request', headers: () => ({ authorization: basic(client.client_id, client.client_secret), 'content-type': FORM }), body: () => 'grant_type=client_credentials&grant_type=client_credentials', status: 400, error: 'invalid_request' },
    { name: '§3.2 a JSON body → 400 invalid_request', headers: () => ({ authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/json' }), body: () => '{"grant_type":"client_credentials"}', status: 400, error: 'invalid_request' },
    { name: '§2.3 two authentication methods at once → 400 invalid_request', headers: () => ({ authorization: basic(client.client_id, client.client_secret), 'content-type': FORM }), body: () => `grant_type=client_credentials&client_id=${client.client_id}&client_secret=${client.client_secret}`, status: 400, error: 'invalid_request' },
    { name: '§5.2 a scope the client was not given → 400 invalid_scope', headers: () => ({ authorization: basic(readOnly.client_id, readOnly.client_secret), 'content-type': FORM }), body: () => 'grant_type=client_credentials&scope=files:write', status: 400, error: 'invalid_scope' },
    { name: '§5.2 an unknown scope → 400 invalid_scope', headers: () => ({ authorization: basic(client.client_id, client.client_secret), 'content-type': FORM }), body: () => 'grant_type=client_credentials&scope=admin', status: 400, error: 'invalid_scope' },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const response = await post(c.headers(), c.body());
      const body = (await response.json()) as Record<string, unknown>;
      expect({ status: response.status, error: body.error }).toEqual({ status: c.status, error: c.error });
      expect(typeof body.error_description).toBe('string');
      // §5.1 / §5.2: never cacheable, success or error.
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
      expect(response.headers.get('etag')).toBeNull();
      if (c.challenge) expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=".+"$/);
    });
  }

  it('a body over the configured limit → 413, and the server keeps serving', async () => {
    const response = await post({ 'content-type': FORM }, 'grant_type=client_credentials&pad=' + 'x'.repeat(2 * 1024 * 1024));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    expect(response.headers.get('cache-control')).toBe('no-store');
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  });

  it('an unparseable Content-Type → 400 invalid_request, not the framework\'s 415 (§5.2)', async () => {
    const response = await post({ authorization: basic(client.client_id, client.client_secret), 'content-type': ';;;' }, 'grant_type=client_credentials');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    expect(response.headers.get('pragma')).toBe('no-cache');
  });

  it('two Authorization headers → 400 invalid_request, whichever comes first (§2.3)', async () => {
    const good = basic(client.client_id, client.client_secret);
    for (const pair of [[good, basic(client.client_id, 'wrong')], [basic(client.client_id, 'wrong'), good]]) {
      const response = await rawRequest(server.url, `POST /oauth/token HTTP/1.1\r\nHost: x\r\nAuthorization: ${pair[0]}\r\nAuthorization: ${pair[1]}\r\nContent-Type: ${FORM}\r\nContent-Length: 29\r\nConnection: close\r\n\r\ngrant_type=client_credentials`);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('GET /.well-known/oauth-authorization-server (RFC 8414 §3)', async () => {
    const response = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: server.url,
      token_endpoint: `${server.url}/oauth/token`,
      grant_types_supported: expect.arrayContaining(['client_credentials']),
      token_endpoint_auth_methods_supported: expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
      scopes_supported: ['files:read', 'files:write'],
    });
  });
});
