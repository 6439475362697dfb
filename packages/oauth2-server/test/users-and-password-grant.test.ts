import { describe, expect, it } from 'vitest';
import { PasswordHasher } from '../src/password-hasher.js';
import { body, expectError, flowServer, tokenRequest } from './flow-helpers.js';

describe('PasswordHasher (scrypt)', () => {
  const hasher = new PasswordHasher();

  it('produces a versioned, salted scrypt string with N=2^15, r=8, p=1', async () => {
    const a = await hasher.hash('correct horse battery staple');
    const b = await hasher.hash('correct horse battery staple');
    expect(a).toMatch(/^scrypt\$v1\$ln=15,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('staple');
  });

  it('verifies the right password only; an unknown user (null) is false after the same work', async () => {
    const h = await hasher.hash('pässwörd-ü');
    expect(await hasher.verify(h, 'pässwörd-ü')).toBe(true);
    expect(await hasher.verify(h, 'pässwörd-u')).toBe(false);
    expect(await hasher.verify(null, 'pässwörd-ü')).toBe(false);
    expect(await hasher.verify('garbage', 'x')).toBe(false);
  });

  it('NFC-normalises: a decomposed "ü" verifies against the composed one', async () => {
    const h = await hasher.hash('m\u00fcller-password');
    expect(await hasher.verify(h, 'mu\u0308ller-password')).toBe(true);
  });

  it('needsRehash is true for weaker parameters', async () => {
    const weak = await new PasswordHasher({ log2N: 14 }).hash('password1');
    expect(hasher.needsRehash(weak)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash('password1'))).toBe(false);
    expect(() => new PasswordHasher({ log2N: 10 })).toThrow(TypeError);
  });
});

describe('users and the legacy password grant (RFC 6749 §4.3)', () => {
  it('createUser stores only the scrypt hash; verifyUser answers the id or null', async () => {
    const { server, store } = await flowServer();
    const user = await server.createUser({ username: 'alice', password: 'correct horse' });
    expect(user).toEqual({ id: expect.stringMatching(/^usr_/), username: 'alice', createdAt: expect.any(Date) });
    expect((await store.users.get(user.id))!.passwordHash).toMatch(/^scrypt\$v1\$/);
    expect(await server.verifyUser('alice', 'correct horse')).toBe(user.id);
    expect(await server.verifyUser('alice', 'wrong horse')).toBeNull();
    expect(await server.verifyUser('bob', 'correct horse')).toBeNull();
    await expect(server.createUser({ username: 'alice', password: 'another one' })).rejects.toMatchObject({ error: 'invalid_request' });
    await expect(server.createUser({ username: 'carol', password: 'short' })).rejects.toMatchObject({ error: 'invalid_request' });
    expect((await server.listUsers()).map((u) => u.username)).toEqual(['alice']);
    expect(await server.deleteUser(user.id)).toBe(true);
    expect(await server.verifyUser('alice', 'correct horse')).toBeNull();
  });

  it('is unsupported_grant_type unless enabled', async () => {
    const { server, svcAuth } = await flowServer();
    await server.createUser({ username: 'alice', password: 'correct horse' });
    expectError(await server.token(tokenRequest({ grant_type: 'password', username: 'alice', password: 'correct horse' }, svcAuth)), 400, 'unsupported_grant_type');
  });

  it('when enabled: needs the grant on the client, verifies the user (invalid_grant otherwise), issues a refresh token', async () => {
    const { server, store, svcAuth } = await flowServer({ enablePasswordGrant: true });
    const user = await server.createUser({ username: 'alice', password: 'correct horse' });
    expectError(await server.token(tokenRequest({ grant_type: 'password', username: 'alice', password: 'correct horse' }, svcAuth)), 400, 'unauthorized_client');
    const hash = (await store.clients.get('svc'))!.secretHash;
    await store.clients.create({ id: 'legacy', name: 'legacy', secretHash: hash, grantTypes: ['password', 'refresh_token'], scopes: ['read'], redirectUris: [], createdAt: new Date(9) });
    const auth = (await import('./helpers.js')).basic('legacy', 'p+q%r s');
    expectError(await server.token(tokenRequest({ grant_type: 'password', username: 'alice', password: 'wrong' }, auth)), 400, 'invalid_grant');
    expectError(await server.token(tokenRequest({ grant_type: 'password', username: 'alice' }, auth)), 400, 'invalid_request');
    const ok = await server.token(tokenRequest({ grant_type: 'password', username: 'alice', password: 'correct horse' }, auth));
    expect(ok.status).toBe(200);
    expect(body(ok).refresh_token).toMatch(/^tfrt_/);
    expect(await server.validateToken(body(ok).access_token!)).toMatchObject({ userId: user.id, clientId: 'legacy' });
  });
});
