import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/memory-store.js';
import type { OAuth2Server } from '../src/oauth2-server.js';
import type { ClientRecord } from '../src/types.js';
import { BASIC_CHALLENGE, SECRET_KEY, TOKEN_HEADERS, basic, form, makeServer, rawBasic } from './helpers.js';
import { KeyedHasher } from '../src/internal/keyed-hasher.js';

let server: OAuth2Server;
let client: ClientRecord;
let secret: string;

const FAILED = { error: 'invalid_client', error_description: 'client authentication failed' };
const withBasicChallenge = { status: 401, headers: { ...TOKEN_HEADERS, 'www-authenticate': BASIC_CHALLENGE }, body: FAILED };

beforeEach(async () => {
  ({ server } = makeServer());
  ({ client, clientSecret: secret } = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read'] }));
});

describe('client_secret_basic (RFC 6749 §2.3.1)', () => {
  it('authenticates with form-urlencoded id and secret inside Basic', async () => {
    const res = await server.token(form('grant_type=client_credentials', { authorization: basic(client.id, secret) }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer' });
  });

  it('§2.3.1/Appendix B: secret "p+q%r s" must be sent as "p%2Bq%25r+s"; the raw form does not authenticate', async () => {
    const store = new MemoryStore();
    const { server } = makeServer({ store });
    const hasher = new KeyedHasher(SECRET_KEY);
    await store.clients.create({
      id: 'svc', name: 'svc', secretHash: hasher.hashClientSecret('p+q%r s'), grantTypes: ['client_credentials'],
      scopes: ['read'], redirectUris: [], createdAt: new Date(0),
    });
    const encoded = await server.token(form('grant_type=client_credentials', { authorization: rawBasic('svc:p%2Bq%25r+s') }));
    expect(encoded.status).toBe(200);
    expect(encoded.body).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer' });
    expect(basic('svc', 'p+q%r s')).toBe(rawBasic('svc:p%2Bq%25r+s'));

    const raw = await server.token(form('grant_type=client_credentials', { authorization: rawBasic('svc:p+q%r s') }));
    expect(raw).toEqual({
      status: 401,
      headers: { ...TOKEN_HEADERS, 'www-authenticate': BASIC_CHALLENGE },
      body: { error: 'invalid_client', error_description: 'the Basic authorization header is malformed' },
    });
  });

  const malformed = [
    ['not base64', 'Basic !!!notbase64!!!'],
    ['no colon', rawBasic('svc-without-colon')],
    ['empty secret', rawBasic('svc:')],
    ['bad padding', 'Basic c3Zj'.slice(0, -1)],
    ['no credentials after the scheme', 'Basic'],
  ];
  it.each(malformed)('§2.3.1 malformed Basic (%s) is 401 invalid_client with a challenge', async (_name, header) => {
    const res = await server.token(form('grant_type=client_credentials', { authorization: header! }));
    expect(res).toEqual({
      status: 401,
      headers: { ...TOKEN_HEADERS, 'www-authenticate': BASIC_CHALLENGE },
      body: { error: 'invalid_client', error_description: 'the Basic authorization header is malformed' },
    });
  });

  it('the scheme name is case-insensitive (RFC 9110 §11.1)', async () => {
    const res = await server.token(form('grant_type=client_credentials', { authorization: basic(client.id, secret).replace('Basic', 'bAsIc') }));
    expect(res.status).toBe(200);
  });

  it('§5.2 wrong secret and unknown client id give the very same 401 with a Basic challenge', async () => {
    const wrong = await server.token(form('grant_type=client_credentials', { authorization: basic(client.id, secret + 'x') }));
    const unknown = await server.token(form('grant_type=client_credentials', { authorization: basic('cl_unknown', secret) }));
    expect(wrong).toEqual(withBasicChallenge);
    expect(unknown).toEqual(wrong);
  });

  it('a client_id in the body must match the Basic one', async () => {
    const same = await server.token(form(`grant_type=client_credentials&client_id=${client.id}`, { authorization: basic(client.id, secret) }));
    expect(same.status).toBe(200);
    const other = await server.token(form('grant_type=client_credentials&client_id=cl_other', { authorization: basic(client.id, secret) }));
    expect(other).toEqual({
      status: 400, headers: TOKEN_HEADERS,
      body: { error: 'invalid_request', error_description: 'client_id in the body differs from the authenticated client' },
    });
  });

  it('two Authorization headers are invalid_request', async () => {
    const res = await server.token(form('grant_type=client_credentials', { authorization: [basic(client.id, secret), basic(client.id, secret)] }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: 'the authorization header is sent more than once' });
  });
});

describe('client_secret_post (RFC 6749 §2.3.1)', () => {
  const body = (id: string, s: string): string => new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: s }).toString();

  it('authenticates with client_id and client_secret in the body', async () => {
    const res = await server.token(form(body(client.id, secret)));
    expect(res.status).toBe(200);
  });

  it('§5.2 wrong secret and unknown id give the same 401 without a challenge (no Authorization header was used)', async () => {
    const wrong = await server.token(form(body(client.id, 'nope')));
    const unknown = await server.token(form(body('cl_unknown', secret)));
    expect(wrong).toEqual({ status: 401, headers: TOKEN_HEADERS, body: FAILED });
    expect(unknown).toEqual(wrong);
  });

  it('client_secret without client_id is invalid_request', async () => {
    const res = await server.token(form(`grant_type=client_credentials&client_secret=${secret}`));
    expect(res).toEqual({ status: 400, headers: TOKEN_HEADERS, body: { error: 'invalid_request', error_description: 'client_secret was sent without client_id' } });
  });
});

describe('one method per request (RFC 6749 §2.3)', () => {
  it('Basic header AND client_secret in the body is invalid_request', async () => {
    const res = await server.token(form(`grant_type=client_credentials&client_id=${client.id}&client_secret=${secret}`, { authorization: basic(client.id, secret) }));
    expect(res).toEqual({
      status: 400, headers: TOKEN_HEADERS,
      body: { error: 'invalid_request', error_description: 'the request uses more than one client authentication method' },
    });
  });
});

describe('secrets at rest (RFC 6749 §10.3, house rule)', () => {
  it('the client record holds a salted keyed hash, never the secret', async () => {
    expect(client.secretHash).toMatch(/^v1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(client.secretHash).not.toContain(secret);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client.id).toMatch(/^cl_[A-Za-z0-9_-]{22}$/);
  });

  it('the same secret hashes differently per salt and verifies under the same key only', () => {
    const a = new KeyedHasher(SECRET_KEY);
    const h1 = a.hashClientSecret('s3cret');
    const h2 = a.hashClientSecret('s3cret');
    expect(h1).not.toBe(h2);
    expect(a.verifyClientSecret(h1, 's3cret')).toBe(true);
    expect(a.verifyClientSecret(h1, 's3creT')).toBe(false);
    expect(a.verifyClientSecret(null, 's3cret')).toBe(false);
    expect(a.verifyClientSecret('garbage', 's3cret')).toBe(false);
    expect(new KeyedHasher(new Uint8Array(32).fill(8)).verifyClientSecret(h1, 's3cret')).toBe(false);
  });

  it('a public client (no secret hash) cannot authenticate with any secret', async () => {
    const store = new MemoryStore();
    const { server } = makeServer({ store });
    await store.clients.create({ id: 'pub', name: 'pub', secretHash: null, grantTypes: ['client_credentials'], scopes: ['read'], redirectUris: [], createdAt: new Date(0) });
    const res = await server.token(form('grant_type=client_credentials', { authorization: basic('pub', 'anything') }));
    expect(res).toEqual(withBasicChallenge);
  });
});
