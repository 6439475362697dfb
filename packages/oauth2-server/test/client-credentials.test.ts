import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/memory-store.js';
import type { OAuth2Server } from '../src/oauth2-server.js';
import { TOKEN_HEADERS, basic, form, makeServer, serverWithClient } from './helpers.js';

let server: OAuth2Server;
let auth: string;

beforeEach(async () => {
  // Server supports read, write, admin; the client may use read and write.
  ({ server, auth } = await serverWithClient());
});

const request = (params: string) => form(params, { authorization: auth });

describe('client_credentials success (RFC 6749 §4.4.3, §5.1)', () => {
  it('returns exactly access_token, token_type, expires_in and scope, and no refresh_token', async () => {
    const res = await server.token(request('grant_type=client_credentials&scope=read'));
    expect(res.status).toBe(200);
    expect(res.headers).toEqual(TOKEN_HEADERS);
    const body = res.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(body).toEqual({ access_token: expect.stringMatching(/^tfat_[A-Za-z0-9_-]{43}$/), token_type: 'Bearer', expires_in: 3600, scope: 'read' });
  });

  it('issues a different token every time', async () => {
    const a = (await server.token(request('grant_type=client_credentials'))).body as { access_token: string };
    const b = (await server.token(request('grant_type=client_credentials'))).body as { access_token: string };
    expect(a.access_token).not.toBe(b.access_token);
  });

  it('honours accessTokenTtl for expires_in', async () => {
    const { server } = makeServer({ accessTokenTtl: 120 });
    const { client, clientSecret } = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read'] });
    const res = await server.token(form('grant_type=client_credentials', { authorization: basic(client.id, clientSecret) }));
    expect(res.body).toMatchObject({ expires_in: 120 });
  });
});

describe('scope (RFC 6749 §3.3)', () => {
  const cases: Array<[string, string, number, unknown]> = [
    ['omitted → the client\'s registered scopes', '', 200, { scope: 'read write' }],
    ['a subset', '&scope=write', 200, { scope: 'write' }],
    ['all, in request order', '&scope=write%20read', 200, { scope: 'write read' }],
    ['a repeated token collapses', '&scope=read+read', 200, { scope: 'read' }],
    ['supported by the server but not registered for the client', '&scope=admin', 400, { error: 'invalid_scope' }],
    ['unknown to the server', '&scope=delete', 400, { error: 'invalid_scope' }],
    ['bad syntax: a double quote (not NQCHAR)', '&scope=%22read%22', 400, { error: 'invalid_scope' }],
    ['bad syntax: a backslash', '&scope=re%5Cad', 400, { error: 'invalid_scope' }],
    ['bad syntax: two spaces', '&scope=read%20%20write', 400, { error: 'invalid_scope' }],
    ['bad syntax: leading space', '&scope=%20read', 400, { error: 'invalid_scope' }],
  ];
  it.each(cases)('%s', async (_name, scopeParam, status, body) => {
    const res = await server.token(request(`grant_type=client_credentials${scopeParam}`));
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject(body as object);
    if (status === 400) expect(res.headers).toEqual(TOKEN_HEADERS);
  });
});

describe('client eligibility (RFC 6749 §4.4, §5.2 unauthorized_client)', () => {
  it('a client not registered for client_credentials is unauthorized_client', async () => {
    const store = new MemoryStore();
    const { server } = makeServer({ store });
    const { client, clientSecret } = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read'] });
    await store.clients.delete(client.id);
    await store.clients.create({ ...client, grantTypes: ['authorization_code'] });
    const res = await server.token(form('grant_type=client_credentials', { authorization: basic(client.id, clientSecret) }));
    expect(res).toEqual({
      status: 400, headers: TOKEN_HEADERS,
      body: { error: 'unauthorized_client', error_description: 'the client is not allowed to use the client_credentials grant' },
    });
  });

  it('a client without default scope and no scope requested is invalid_scope', async () => {
    const { server } = makeServer();
    const { client, clientSecret } = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: [] });
    const res = await server.token(form('grant_type=client_credentials', { authorization: basic(client.id, clientSecret) }));
    expect(res.body).toEqual({ error: 'invalid_scope', error_description: 'no scope was requested and the client has no default scope' });
  });
});
