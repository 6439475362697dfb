import { describe, expect, it } from 'vitest';
import { OAuth2Error } from '../src/errors.js';
import { T0, makeServer } from './helpers.js';

describe('registerClient', () => {
  it('mints an id and a 256-bit secret, stores only the hash, and lists/deletes the client', async () => {
    const { server, store } = makeServer();
    const { client, clientSecret } = await server.registerClient({ name: '  Billing worker ', grantTypes: ['client_credentials'], scopes: ['read', 'read'], redirectUris: ['https://app.example/cb'] });
    expect(client).toEqual({
      id: expect.stringMatching(/^cl_[A-Za-z0-9_-]{22}$/),
      name: 'Billing worker',
      secretHash: expect.stringMatching(/^v1\$/),
      grantTypes: ['client_credentials'],
      scopes: ['read'],
      redirectUris: ['https://app.example/cb'],
      createdAt: new Date(T0),
    });
    expect(Buffer.from(clientSecret, 'base64url')).toHaveLength(32);
    expect(await store.clients.get(client.id)).toEqual(client);
    expect(await server.listClients()).toEqual([client]);
    expect(await server.deleteClient(client.id)).toBe(true);
    expect(await server.deleteClient(client.id)).toBe(false);
    expect(await server.listClients()).toEqual([]);
  });

  it('deleting a client revokes its tokens', async () => {
    const { server } = makeServer();
    const { client, clientSecret } = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read'] });
    const { form, basic } = await import('./helpers.js');
    const res = await server.token(form('grant_type=client_credentials', { authorization: basic(client.id, clientSecret) }));
    const token = (res.body as { access_token: string }).access_token;
    expect(await server.validateToken(token)).not.toBeNull();
    await server.deleteClient(client.id);
    expect(await server.validateToken(token)).toBeNull();
  });

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['empty name', { name: '  ' }, 'name must be a non-empty string'],
    ['unknown grant type', { grantTypes: ['password'] }, 'grant type "password" is not supported (supported: authorization_code, client_credentials, refresh_token)'],
    ['no grant types', { grantTypes: [] }, 'grantTypes must be a non-empty array of strings'],
    ['scope outside scopesSupported', { scopes: ['delete'] }, 'scope "delete" is not supported (supported: read write admin)'],
    ['RFC 6749 §3.3 scope with a space', { scopes: ['read write'] }, 'scopes must be valid scope tokens (RFC 6749 §3.3)'],
    ['RFC 6749 §3.3 scope with a double quote', { scopes: ['"read"'] }, 'scopes must be valid scope tokens (RFC 6749 §3.3)'],
    ['RFC 6749 §3.1.2 relative redirect URI', { redirectUris: ['/cb'] }, 'each redirect URI must be an absolute https URI (http only for loopback) without a fragment'],
    ['RFC 6749 §3.1.2 redirect URI with a fragment', { redirectUris: ['https://a.example/cb#x'] }, 'each redirect URI must be an absolute https URI (http only for loopback) without a fragment'],
    ['RFC 6749 §3.1.2 loopback redirect URI with a port above 65535', { redirectUris: ['http://127.0.0.1:99999/cb'] }, 'each redirect URI must be an absolute https URI (http only for loopback) without a fragment'],
  ];
  it.each(invalid)('rejects %s with OAuth2Error invalid_request', async (_name, over, description) => {
    const { server, store } = makeServer();
    const err = await server
      .registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read'], ...over } as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuth2Error);
    expect(err).toMatchObject({ error: 'invalid_request', code: 'invalid_request', status: 400, expose: true, description });
    expect(await store.clients.list()).toEqual([]);
  });
});
