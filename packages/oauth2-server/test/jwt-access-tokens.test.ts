import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ISSUER, T0 } from './helpers.js';
import { body, flowServer, svcTokens, tokenRequest, USER } from './flow-helpers.js';

describe('JWT access tokens (RFC 9068)', () => {
  it.each(['ES256', 'EdDSA'] as const)('%s: §2.1 typ at+jwt and kid; §2.2 iss, sub, aud, client_id, scope, jti, iat, exp; verifiable with the JWKS', async (alg) => {
    const { server, svcAuth } = await flowServer({ accessTokenFormat: 'jwt', jwt: { alg } });
    const { access } = await svcTokens(server, svcAuth);
    const header = decodeProtectedHeader(access);
    expect(header).toEqual({ alg, kid: expect.any(String), typ: 'at+jwt' });
    const jwks = await server.jwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kid: header.kid, alg, use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const { payload } = await jwtVerify(access, createLocalJWKSet(jwks as never), { typ: 'at+jwt', issuer: ISSUER, audience: ISSUER, currentDate: new Date(T0) });
    expect(payload).toEqual({
      iss: ISSUER, sub: USER, aud: ISSUER, client_id: 'svc', scope: 'read write',
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), iat: T0 / 1000, exp: T0 / 1000 + 3600,
    });
  });

  it('§2.2 sub is the client id for client_credentials', async () => {
    const { server, svcAuth } = await flowServer({ accessTokenFormat: 'jwt' });
    const res = await server.token(tokenRequest({ grant_type: 'client_credentials' }, svcAuth));
    const { payload } = await jwtVerify(body(res).access_token!, createLocalJWKSet((await server.jwks()) as never), { currentDate: new Date(T0) });
    expect(payload.sub).toBe('svc');
  });

  it('validateToken verifies locally and still honours revocation by jti', async () => {
    const { server, svcAuth } = await flowServer({ accessTokenFormat: 'jwt' });
    const { access } = await svcTokens(server, svcAuth);
    expect(await server.validateToken(access)).toMatchObject({ clientId: 'svc', userId: USER, scopes: ['read', 'write'] });
    expect(await server.introspect(access)).toMatchObject({ active: true, token_type: 'Bearer' });
    expect(await server.revoke(access, { clientId: 'svc' })).toBe('access_token');
    expect(await server.validateToken(access)).toBeNull();
    expect(await server.introspect(access)).toEqual({ active: false });
  });

  it('a token verified once (then remembered) is still refused once revoked, and at its exp', async () => {
    const { server, svcAuth, clock } = await flowServer({ accessTokenFormat: 'jwt' });
    const { access } = await svcTokens(server, svcAuth);
    const { access: other } = await svcTokens(server, svcAuth);
    for (let i = 0; i < 3; i++) expect(await server.validateToken(access)).not.toBeNull();
    expect(await server.validateToken(other)).not.toBeNull();
    expect(await server.revoke(access, { clientId: 'svc' })).toBe('access_token');
    expect(await server.validateToken(access)).toBeNull();
    clock.advance(3599);
    expect(await server.validateToken(other)).not.toBeNull();
    clock.advance(1);
    expect(await server.validateToken(other)).toBeNull();
  });

  it('RFC 9068 §4: a tampered, foreign-issuer or expired token is not valid', async () => {
    const { server, svcAuth, clock } = await flowServer({ accessTokenFormat: 'jwt' });
    const { access } = await svcTokens(server, svcAuth);
    const [h, p, s] = access.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'read write admin' })).toString('base64url')}.${s}`;
    expect(await server.validateToken(forged)).toBeNull();
    const other = await flowServer({ accessTokenFormat: 'jwt', issuer: 'https://other.example' });
    expect(await other.server.validateToken(access)).toBeNull();
    clock.advance(3600);
    expect(await server.validateToken(access)).toBeNull();
    expect(await server.validateToken('a.b.c')).toBeNull();
  });

  it('rotation: new tokens use the new key; the old key stays in the JWKS until its tokens expired (+1 min), then goes', async () => {
    const { server, svcAuth, clock } = await flowServer({ accessTokenFormat: 'jwt' });
    const { access: before } = await svcTokens(server, svcAuth);
    const oldKid = decodeProtectedHeader(before).kid;
    clock.advance(1);
    const rotated = await server.rotateSigningKey();
    expect(rotated.kid).not.toBe(oldKid);
    const { access: after } = await svcTokens(server, svcAuth);
    expect(decodeProtectedHeader(after).kid).toBe(rotated.kid);
    expect((await server.jwks()).keys.map((k) => k.kid).sort()).toEqual([oldKid, rotated.kid].sort());
    expect(await server.validateToken(before)).not.toBeNull();
    expect(await server.listSigningKeys()).toEqual([
      { kid: oldKid, alg: 'ES256', createdAt: new Date(T0), retiredAt: new Date(T0 + 1000), publishUntil: new Date(T0 + 3661_000) },
      { kid: rotated.kid, alg: 'ES256', createdAt: new Date(T0 + 1000), retiredAt: null, publishUntil: null },
    ]);
    // Published for the token lifetime plus the one minute other processes may take to notice.
    clock.advance(3659);
    expect((await server.jwks()).keys).toHaveLength(2);
    clock.advance(1);
    expect((await server.jwks()).keys.map((k) => k.kid)).toEqual([rotated.kid]);
    expect((await server.purgeExpired()).signingKeys).toBe(1);
  });

  it('the private key is stored encrypted: no JWK private member in the store', async () => {
    const { server, svcAuth, store } = await flowServer({ accessTokenFormat: 'jwt' });
    await svcTokens(server, svcAuth);
    const [key] = await store.signingKeys.list();
    expect(key!.privateJwkEncrypted).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(key!.privateJwkEncrypted).not.toContain('"d"');
    expect(JSON.parse(key!.publicJwk)).not.toHaveProperty('d');
  });

  it('another process sharing the store verifies and rotates with the same keys', async () => {
    const a = await flowServer({ accessTokenFormat: 'jwt' });
    const { OAuth2Server } = await import('../src/oauth2-server.js');
    const { SECRET_KEY } = await import('./helpers.js');
    const b = new OAuth2Server({ store: a.store, issuer: ISSUER, secretKey: SECRET_KEY, scopesSupported: ['read', 'write'], accessTokenFormat: 'jwt', clock: a.clock.read });
    const { access } = await svcTokens(a.server, a.svcAuth);
    expect(await b.validateToken(access)).not.toBeNull();
  });

  it('with opaque tokens there are no keys until one is rotated in (preparing a switch to JWTs)', async () => {
    const { server, svcAuth } = await flowServer();
    await svcTokens(server, svcAuth);
    expect(await server.jwks()).toEqual({ keys: [] });
    const key = await server.rotateSigningKey();
    expect((await server.jwks()).keys.map((k) => k.kid)).toEqual([key.kid]);
    expect(server.metadata()).not.toHaveProperty('jwks_uri');
  });
});
