import { beforeEach, describe, expect, it } from 'vitest';
import type { OAuth2Server } from '../src/oauth2-server.js';
import type { OAuth2Store } from '../src/store.js';
import { ISSUER, type TestClock, basic, form, makeServer } from './helpers.js';

let server: OAuth2Server;
let clock: TestClock;
let store: OAuth2Store;
let token: string;
const JSON_CT = { 'content-type': 'application/json;charset=UTF-8' };

beforeEach(async () => {
  ({ server, clock, store } = makeServer({ accessTokenTtl: 60 }));
  const { client, clientSecret } = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read', 'write'] });
  const res = await server.token(form('grant_type=client_credentials&scope=read', { authorization: basic(client.id, clientSecret) }));
  token = (res.body as { access_token: string }).access_token;
});

describe('authenticateBearer (RFC 6750)', () => {
  it('§2.1 a valid token with the scope passes and describes the token', async () => {
    const res = await server.authenticateBearer(`Bearer ${token}`, 'read');
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.token).toMatchObject({ userId: null, scopes: ['read'], expiresAt: new Date(clock.now + 60_000) });
    expect(res.token.hasScope('read')).toBe(true);
    expect(res.token.hasScope('write')).toBe(false);
  });

  it('§2.1 the scheme is case-insensitive', async () => {
    expect((await server.authenticateBearer(`bearer ${token}`, 'read')).ok).toBe(true);
    expect((await server.authenticateBearer(`BEARER ${token}`, 'read')).ok).toBe(true);
  });

  const invalidToken = (description: string) => ({
    status: 401,
    headers: { ...JSON_CT, 'www-authenticate': `Bearer realm="${ISSUER}", error="invalid_token", error_description="${description}"` },
    body: { error: 'invalid_token', error_description: description },
  });
  const invalidRequest = {
    status: 400,
    headers: { ...JSON_CT, 'www-authenticate': `Bearer realm="${ISSUER}", error="invalid_request", error_description="the Authorization header is not \\"Bearer <token>\\""` },
    body: { error: 'invalid_request', error_description: 'the Authorization header is not "Bearer <token>"' },
  };

  const credentialsRequired = {
    status: 401,
    headers: { ...JSON_CT, 'www-authenticate': `Bearer realm="${ISSUER}"` },
    body: { error: 'unauthorized', error_description: 'a bearer access token is required' },
  };

  const cases: Array<[string, () => string | string[] | undefined, unknown]> = [
    ['§3.1 missing header → 401 with a challenge carrying no error code', () => undefined, credentialsRequired],
    ['§3.1 empty header → 401 with a challenge carrying no error code', () => '', credentialsRequired],
    ['§3.1 unknown token → 401 invalid_token', () => `Bearer tfat_${'A'.repeat(43)}`, invalidToken('the access token is invalid or has expired')],
    ['§3.1 not one of ours → 401 invalid_token', () => 'Bearer abc.def.ghi', invalidToken('the access token is invalid or has expired')],
    ['§3.1 an unsupported scheme counts as no credentials → 401 without an error code', () => basic('a', 'b'), credentialsRequired],
    ['§2.1 two tokens in one header → 400 invalid_request', () => `Bearer ${token} ${token}`, invalidRequest],
    ['§2.1 scheme without a token → 400 invalid_request', () => 'Bearer', invalidRequest],
    ['§2.1 characters outside b64token → 400 invalid_request', () => 'Bearer tok"en', invalidRequest],
  ];
  it.each(cases)('%s', async (_name, header, response) => {
    expect(await server.authenticateBearer(header(), 'read')).toEqual({ ok: false, response });
  });

  it('§3.1 two Authorization headers → 400 invalid_request', async () => {
    const res = await server.authenticateBearer([`Bearer ${token}`, `Bearer ${token}`], 'read');
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.response.status).toBe(400);
  });

  it('§3.1 a valid token without the required scope → 403 insufficient_scope naming the scope', async () => {
    const description = 'the access token does not grant the required scope';
    expect(await server.authenticateBearer(`Bearer ${token}`, 'write')).toEqual({
      ok: false,
      response: {
        status: 403,
        headers: { ...JSON_CT, 'www-authenticate': `Bearer realm="${ISSUER}", error="insufficient_scope", error_description="${description}", scope="write"` },
        body: { error: 'insufficient_scope', error_description: description, scope: 'write' },
      },
    });
  });

  it('§3.1 an expired token → 401 invalid_token, exactly at expiresAt', async () => {
    clock.advance(59.999);
    expect((await server.authenticateBearer(`Bearer ${token}`, 'read')).ok).toBe(true);
    clock.advance(0.001);
    expect(await server.authenticateBearer(`Bearer ${token}`, 'read')).toEqual({ ok: false, response: invalidToken('the access token is invalid or has expired') });
  });

  it('a store failure is a 503 temporarily_unavailable (retry later) without detail or challenge, reported to onError', async () => {
    const { server, store, errors } = makeServer();
    store.accessTokens.find = async () => {
      throw new Error('connection reset');
    };
    const res = await server.authenticateBearer(`Bearer ${token}`, 'read');
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.response.status).toBe(503);
    expect(res.response.headers['www-authenticate']).toBeUndefined();
    expect(res.response.body).toMatchObject({ error: 'temporarily_unavailable' });
    expect(JSON.stringify(res.response.body)).not.toContain('connection reset');
    expect(errors).toHaveLength(1);
  });

  it('a requiredScope that is not a scope token is a programmer error (TypeError)', async () => {
    await expect(server.authenticateBearer(`Bearer ${token}`, 'read write')).rejects.toThrow(TypeError);
    await expect(server.authenticateBearer(`Bearer ${token}`, '')).rejects.toThrow(TypeError);
  });
});

describe('validateToken', () => {
  it('returns the token info while valid and null from expiresAt on (clock injected)', async () => {
    expect(await server.validateToken(token)).toMatchObject({ scopes: ['read'] });
    clock.advance(60);
    expect(await server.validateToken(token)).toBeNull();
  });

  const malformed: unknown[] = ['', 'tfat_', `tfat_${'A'.repeat(42)}`, `tfat_${'A'.repeat(44)}`, `xxat_${'A'.repeat(43)}`, 'Bearer x', null, undefined, 42, {}];
  it.each(malformed)('malformed input %j → null, never throws', async (input) => {
    expect(await server.validateToken(input as string)).toBeNull();
  });

  it('a token is not valid on another server key (the stored value is a keyed hash)', async () => {
    const { server: same } = makeServer({ store });
    const { server: otherKey } = makeServer({ store, secretKey: new Uint8Array(32).fill(9) });
    expect(await same.validateToken(token)).not.toBeNull();
    expect(await otherKey.validateToken(token)).toBeNull();
  });
});
