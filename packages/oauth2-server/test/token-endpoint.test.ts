import { beforeEach, describe, expect, it } from 'vitest';
import type { OAuth2Server } from '../src/oauth2-server.js';
import type { TokenRequest } from '../src/types.js';
import { BASIC_CHALLENGE, TOKEN_HEADERS, basic, form, makeServer, serverWithClient } from './helpers.js';

let server: OAuth2Server;
let auth: string;

beforeEach(async () => {
  // Server supports read, write, admin; the client may use read and write.
  ({ server, auth } = await serverWithClient());
});

describe('token endpoint request parsing (RFC 6749 §3.1, §3.2)', () => {
  const cases: Array<{ name: string; request: () => TokenRequest; status: number; error: string; description: string; headers?: Record<string, string> }> = [
    {
      name: '§3.2 a GET request is refused (405, Allow: POST)',
      request: () => ({ method: 'GET', headers: { authorization: auth }, body: '' }),
      status: 405, error: 'invalid_request', description: 'the token endpoint accepts POST requests only', headers: { allow: 'POST' },
    },
    {
      name: '§3.2 a JSON body with the same fields is invalid_request',
      request: () => ({ method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' }),
      status: 400, error: 'invalid_request', description: 'the request body must be application/x-www-form-urlencoded',
    },
    {
      name: '§3.2 a missing Content-Type is invalid_request',
      request: () => ({ method: 'POST', headers: { authorization: auth }, body: 'grant_type=client_credentials' }),
      status: 400, error: 'invalid_request', description: 'the request body must be application/x-www-form-urlencoded',
    },
    {
      name: '§3.1 a parameter sent twice is invalid_request',
      request: () => form('grant_type=client_credentials&grant_type=client_credentials', { authorization: auth }),
      status: 400, error: 'invalid_request', description: 'the "grant_type" parameter is included more than once',
    },
    {
      name: '§3.1 scope sent twice is invalid_request',
      request: () => form('grant_type=client_credentials&scope=read&scope=write', { authorization: auth }),
      status: 400, error: 'invalid_request', description: 'the "scope" parameter is included more than once',
    },
    {
      name: '§5.2 a missing grant_type is invalid_request',
      request: () => form('scope=read', { authorization: auth }),
      status: 400, error: 'invalid_request', description: 'the grant_type parameter is missing',
    },
    {
      name: '§3.1 grant_type without a value counts as omitted',
      request: () => form('grant_type=&scope=read', { authorization: auth }),
      status: 400, error: 'invalid_request', description: 'the grant_type parameter is missing',
    },
    {
      name: '§5.2 an unknown grant_type is unsupported_grant_type',
      request: () => form('grant_type=urn%3Aexample%3Ax', { authorization: auth }),
      status: 400, error: 'unsupported_grant_type', description: 'the grant_type is not supported by this server',
    },
    {
      name: 'Appendix B a malformed percent escape is invalid_request',
      request: () => form('grant_type=client_credentials&scope=%zz', { authorization: auth }),
      status: 400, error: 'invalid_request', description: 'the request body is not valid application/x-www-form-urlencoded',
    },
    {
      name: '§5.2 no client authentication at all is invalid_client with a Basic challenge',
      request: () => form('grant_type=client_credentials'),
      status: 401, error: 'invalid_client', description: 'client authentication is required', headers: { 'www-authenticate': BASIC_CHALLENGE },
    },
  ];

  it.each(cases)('$name', async ({ request, status, error, description, headers }) => {
    const res = await server.token(request());
    expect(res).toEqual({ status, headers: { ...TOKEN_HEADERS, ...headers }, body: { error, error_description: description } });
  });

  it('§3.1 parameters without a value are treated as omitted (scope= → default scope)', async () => {
    const res = await server.token(form('grant_type=client_credentials&scope=&client_id=', { authorization: auth }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ scope: 'read write' });
  });

  it('§3.2 accepts a charset parameter and upper-case media type', async () => {
    const res = await server.token({ method: 'POST', headers: { authorization: auth, 'content-type': 'Application/X-WWW-Form-URLEncoded; charset=UTF-8' }, body: 'grant_type=client_credentials' });
    expect(res.status).toBe(200);
  });

  it('§3.2 accepts a request without a method (the adapter routed POST only)', async () => {
    const res = await server.token({ headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    expect(res.status).toBe(200);
  });

  it('§5.1 every response, success or error, is JSON with no-store and no-cache and no ETag', async () => {
    const ok = await server.token(form('grant_type=client_credentials', { authorization: auth }));
    const bad = await server.token(form('grant_type=password', { authorization: auth }));
    for (const res of [ok, bad]) {
      expect(res.headers).toMatchObject(TOKEN_HEADERS);
      expect(Object.keys(res.headers).map((h) => h.toLowerCase())).not.toContain('etag');
    }
  });
});

describe('unexpected failures', () => {
  it('a store failure is a generic 503 temporarily_unavailable, never a success; the detail goes to onError only', async () => {
    const { server, store, errors } = makeServer();
    const { client, clientSecret } = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read'] });
    store.accessTokens.save = async () => {
      throw new Error('SQLITE_FULL: database or disk is full at /var/lib/secret/path');
    };
    const res = await server.token(form('grant_type=client_credentials', { authorization: basic(client.id, clientSecret) }));
    expect(res).toEqual({
      status: 503,
      headers: TOKEN_HEADERS,
      body: { error: 'temporarily_unavailable', error_description: 'the server is temporarily unavailable; try again later' },
    });
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toContain('SQLITE_FULL');
  });

  it('a bug (TypeError) is a generic 500 server_error', async () => {
    const { server, store } = makeServer();
    const { client, clientSecret } = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read'] });
    store.accessTokens.save = async () => {
      throw new TypeError('cannot read properties of undefined');
    };
    const res = await server.token(form('grant_type=client_credentials', { authorization: basic(client.id, clientSecret) }));
    expect(res).toEqual({
      status: 500,
      headers: TOKEN_HEADERS,
      body: { error: 'server_error', error_description: 'the server encountered an unexpected error' },
    });
  });

  it('a throwing onError hook still yields the error response', async () => {
    const { server, store } = makeServer({ onError: () => { throw new Error('logger down'); } });
    store.clients.get = async () => {
      throw new Error('boom');
    };
    const res = await server.token(form('grant_type=client_credentials', { authorization: basic('cl_x', 'y') }));
    expect(res.status).toBe(503);
  });
});
