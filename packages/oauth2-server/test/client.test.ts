import { describe, expect, it } from 'vitest';
import { flowServer, REDIRECT, SVC_SECRET } from './flow-helpers.js';

describe('Client', () => {
  it('supportsGrant, verifySecret (constant-time, false for public clients), isPublic', async () => {
    const { server } = await flowServer();
    const svc = (await server.getClient('svc'))!;
    expect(svc.supportsGrant('authorization_code')).toBe(true);
    expect(svc.supportsGrant('password')).toBe(false);
    expect(svc.verifySecret(SVC_SECRET)).toBe(true);
    expect(svc.verifySecret('p q%r s')).toBe(false);
    expect(svc.isPublic).toBe(false);
    const spa = (await server.getClient('spa'))!;
    expect(spa.isPublic).toBe(true);
    expect(spa.verifySecret('')).toBe(false);
    expect(await server.getClient('nope')).toBeNull();
  });

  it.each([
    [REDIRECT, true],
    ['https://app.test/CB', false],
    ['https://app.test/cb/', false],
    ['https://app.test/cb?x=1', false],
    ['https://app.test/cb#f', false],
    ['https://app.test:443/cb', false],
    ['http://app.test/cb', false],
    ['http://127.0.0.1/cb', true],
    ['http://127.0.0.1:51234/cb', true],
    ['http://127.0.0.1:51234/cb?x', false],
    ['http://127.0.0.1:51234/cb/../cb', false],
    ['http://[::1]:51234/cb', false],
    ['http://localhost:51234/cb', false],
    ['https://127.0.0.1:51234/cb', false],
  ])('RFC 9700 §4.1.3 / RFC 8252 §7.3 isRedirectUriValid(%s) is %s', async (uri, valid) => {
    const { server } = await flowServer();
    expect((await server.getClient('svc'))!.isRedirectUriValid(uri)).toBe(valid);
  });

  it('registerClient: a public client gets no secret and cannot use client_credentials; code clients need a redirect URI', async () => {
    const { server } = await flowServer();
    const { client, clientSecret } = await server.registerClient({ name: 'spa', public: true, grantTypes: ['authorization_code', 'refresh_token'], scopes: ['read'], redirectUris: ['http://127.0.0.1/cb'] });
    expect(clientSecret).toBeNull();
    expect(client.secretHash).toBeNull();
    await expect(server.registerClient({ name: 'x', public: true, grantTypes: ['client_credentials'], scopes: ['read'] })).rejects.toMatchObject({ error: 'invalid_request' });
    await expect(server.registerClient({ name: 'x', grantTypes: ['authorization_code'], scopes: ['read'] })).rejects.toMatchObject({ error: 'invalid_request' });
    await expect(server.registerClient({ name: 'x', grantTypes: ['authorization_code'], scopes: ['read'], redirectUris: ['http://app.example/cb'] })).rejects.toMatchObject({ error: 'invalid_request' });
  });
});
