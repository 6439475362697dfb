import { describe, expect, it } from 'vitest';
import { ISSUER, T0, basic } from './helpers.js';
import { body, expectError, flowServer, svcTokens, tokenRequest, USER } from './flow-helpers.js';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

describe('revocation (RFC 7009)', () => {
  it('§2.2 revoking an access token: 200, empty body, no-store; the token is then invalid', async () => {
    const { server, svcAuth } = await flowServer();
    const { access, refresh } = await svcTokens(server, svcAuth);
    expect(await server.revocation(tokenRequest({ token: access, token_type_hint: 'access_token' }, svcAuth))).toEqual({ status: 200, headers: NO_STORE, body: '' });
    expect(await server.validateToken(access)).toBeNull();
    // Revoking the access token leaves the refresh token usable.
    expect((await server.token(tokenRequest({ grant_type: 'refresh_token', refresh_token: refresh }, svcAuth))).status).toBe(200);
  });

  it('§2.1 revoking a refresh token also revokes the access tokens of its grant', async () => {
    const { server, svcAuth } = await flowServer();
    const { access, refresh } = await svcTokens(server, svcAuth);
    expect((await server.revocation(tokenRequest({ token: refresh }, svcAuth))).status).toBe(200);
    expect(await server.validateToken(access)).toBeNull();
    expectError(await server.token(tokenRequest({ grant_type: 'refresh_token', refresh_token: refresh }, svcAuth)), 400, 'invalid_grant');
  });

  it('§2.1 token_type_hint is only a hint: a wrong or unknown hint still finds the token', async () => {
    const { server, svcAuth } = await flowServer();
    const { access, refresh } = await svcTokens(server, svcAuth);
    expect((await server.revocation(tokenRequest({ token: refresh, token_type_hint: 'access_token' }, svcAuth))).status).toBe(200);
    expect(await server.introspect(refresh)).toEqual({ active: false });
    const t2 = await svcTokens(server, svcAuth);
    expect((await server.revocation(tokenRequest({ token: t2.access, token_type_hint: 'urn:example:unknown' }, svcAuth))).status).toBe(200);
    expect(await server.validateToken(t2.access)).toBeNull();
    expect(access).toBeTruthy();
  });

  it('§2.2 an unknown or malformed token is a 200', async () => {
    const { server, svcAuth } = await flowServer();
    for (const token of ['tfat_' + 'C'.repeat(43), 'nonsense', 'tfrt_' + 'C'.repeat(43)]) {
      expect((await server.revocation(tokenRequest({ token }, svcAuth))).status).toBe(200);
    }
  });

  it('§2.1 a client cannot revoke another client\'s token: refused, and the token stays valid', async () => {
    const { server, svcAuth, otherAuth } = await flowServer();
    const { access } = await svcTokens(server, svcAuth);
    expectError(await server.revocation(tokenRequest({ token: access }, otherAuth)), 400, 'unauthorized_client');
    expect(await server.validateToken(access)).not.toBeNull();
  });

  it('§2.1 the caller must authenticate; a missing token parameter is invalid_request', async () => {
    const { server, svcAuth } = await flowServer();
    const { access } = await svcTokens(server, svcAuth);
    expectError(await server.revocation(tokenRequest({ token: access })), 401, 'invalid_client');
    expectError(await server.revocation(tokenRequest({ token: access }, basic('svc', 'wrong'))), 401, 'invalid_client');
    expectError(await server.revocation(tokenRequest({}, svcAuth)), 400, 'invalid_request');
    expect(await server.validateToken(access)).not.toBeNull();
  });

  it('a public client revokes its own token with client_id only (auth method none)', async () => {
    const { server } = await flowServer();
    const { getCode, REDIRECT, VERIFIER } = await import('./flow-helpers.js');
    const code = await getCode(server, { client_id: 'spa' });
    const t = body(await server.token(tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER, client_id: 'spa' })));
    expect((await server.revocation(tokenRequest({ token: t.refresh_token!, client_id: 'spa' }))).status).toBe(200);
    expect(await server.validateToken(t.access_token!)).toBeNull();
  });

  it('case 17 (§2.2.1): a failing store is a 503 temporarily_unavailable, never a 200, and the token stays valid', async () => {
    const { server, svcAuth, store, errors } = await flowServer();
    const { access } = await svcTokens(server, svcAuth);
    const original = store.accessTokens.delete;
    store.accessTokens.delete = async () => {
      throw new Error('SQLITE_BUSY: database is locked');
    };
    const res = await server.revocation(tokenRequest({ token: access }, svcAuth));
    expectError(res, 503, 'temporarily_unavailable');
    expect(JSON.stringify(res)).not.toContain('SQLITE');
    expect(errors).toHaveLength(1);
    store.accessTokens.delete = original;
    expect(await server.validateToken(access)).not.toBeNull();
  });

  it('§2.1 a store failure half-way through revoking a grant is a 503, and the retry\'s 200 means the grant\'s access tokens are revoked too', async () => {
    const { server, svcAuth, store } = await flowServer();
    const { access, refresh } = await svcTokens(server, svcAuth);
    const original = store.accessTokens.deleteByGrant;
    store.accessTokens.deleteByGrant = async () => {
      throw new Error('Connection terminated unexpectedly');
    };
    expectError(await server.revocation(tokenRequest({ token: refresh }, svcAuth)), 503, 'temporarily_unavailable');
    store.accessTokens.deleteByGrant = original;
    expect((await server.revocation(tokenRequest({ token: refresh }, svcAuth))).status).toBe(200);
    expect(await server.validateToken(access)).toBeNull();
  });

  it('§2.1 POST only', async () => {
    const { server, svcAuth } = await flowServer();
    const res = await server.revocation({ ...tokenRequest({ token: 'x' }, svcAuth), method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('POST');
  });
});

describe('credential kinds never stand in for each other', () => {
  it('a refresh token or a code is not an access token; an access token is not a refresh token', async () => {
    const { server, svcAuth } = await flowServer();
    const { access, refresh } = await svcTokens(server, svcAuth);
    expect(await server.validateToken(refresh)).toBeNull();
    expect((await server.authenticateBearer(`Bearer ${refresh}`, 'read')).ok).toBe(false);
    expectError(await server.token(tokenRequest({ grant_type: 'refresh_token', refresh_token: access }, svcAuth)), 400, 'invalid_grant');
  });
});

describe('introspection (RFC 7662)', () => {
  it('§2.2 an active access token: the full answer, no-store', async () => {
    const { server, svcAuth } = await flowServer();
    const { access } = await svcTokens(server, svcAuth);
    const res = await server.introspection(tokenRequest({ token: access }, svcAuth));
    expect(res).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json;charset=UTF-8', ...NO_STORE },
      body: { active: true, scope: 'read write', client_id: 'svc', token_type: 'Bearer', exp: T0 / 1000 + 3600, iat: T0 / 1000, iss: ISSUER, sub: USER },
    });
  });

  it('§2.2 refresh tokens introspect too, until rotated', async () => {
    const { server, svcAuth } = await flowServer();
    const { refresh } = await svcTokens(server, svcAuth);
    expect(body(await server.introspection(tokenRequest({ token: refresh, token_type_hint: 'refresh_token' }, svcAuth)))).toMatchObject({ active: true, token_type: 'refresh_token' });
    await server.token(tokenRequest({ grant_type: 'refresh_token', refresh_token: refresh }, svcAuth));
    expect(body(await server.introspection(tokenRequest({ token: refresh }, svcAuth)))).toEqual({ active: false });
  });

  it('§2.2 unknown, expired, revoked or another client\'s token → exactly {"active":false}', async () => {
    const { server, svcAuth, otherAuth, clock } = await flowServer();
    const { access } = await svcTokens(server, svcAuth);
    expect((await server.introspection(tokenRequest({ token: access }, otherAuth))).body).toEqual({ active: false });
    expect((await server.introspection(tokenRequest({ token: 'tfat_' + 'D'.repeat(43) }, svcAuth))).body).toEqual({ active: false });
    expect((await server.introspection(tokenRequest({ token: 'whatever' }, svcAuth))).body).toEqual({ active: false });
    clock.advance(3600);
    expect((await server.introspection(tokenRequest({ token: access }, svcAuth))).body).toEqual({ active: false });
  });

  it('§2.1 caller authentication is required; a public client\'s bare client_id is not enough', async () => {
    const { server, svcAuth } = await flowServer();
    const { access } = await svcTokens(server, svcAuth);
    expectError(await server.introspection(tokenRequest({ token: access })), 401, 'invalid_client');
    expectError(await server.introspection(tokenRequest({ token: access, client_id: 'spa' })), 401, 'invalid_client');
  });

  it('a failing store is a 503, never {"active":false}', async () => {
    const { server, svcAuth, store } = await flowServer();
    const { access } = await svcTokens(server, svcAuth);
    store.accessTokens.find = async () => {
      throw new Error('connection reset');
    };
    expectError(await server.introspection(tokenRequest({ token: access }, svcAuth)), 503, 'temporarily_unavailable');
  });
});
