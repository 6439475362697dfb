import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import type { OAuth2Server } from '../src/oauth2-server.js';
import { ISSUER, makeServer } from './helpers.js';

/** Routes oauth4webapi's fetch calls to the core in-process: request in, response out, no socket. */
function inProcessFetch(server: OAuth2Server): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init);
    const path = new URL(req.url).pathname;
    if (path === '/.well-known/oauth-authorization-server') return Response.json(server.metadata());
    if (path === '/oauth/token') {
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => (headers[k] = v));
      const res = await server.token({ method: req.method, headers, body: await req.text() });
      return new Response(JSON.stringify(res.body), { status: res.status, headers: res.headers });
    }
    return new Response('not found', { status: 404 });
  };
}

describe('interoperability with an independent client (oauth4webapi)', () => {
  it('RFC 8414 discovery + RFC 6749 §4.4 client_credentials with client_secret_basic, secret needing form-encoding', async () => {
    const { server, store } = makeServer();
    const { client } = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read', 'write'] });
    // A secret with characters that §2.3.1 requires to be form-urlencoded inside Basic.
    const { KeyedHasher } = await import('../src/internal/keyed-hasher.js');
    const { SECRET_KEY } = await import('./helpers.js');
    const secret = 'p+q%r s:ü';
    await store.clients.delete(client.id);
    await store.clients.create({ ...client, secretHash: new KeyedHasher(SECRET_KEY).hashClientSecret(secret) });

    const options = { [oauth.customFetch]: inProcessFetch(server) };
    const issuer = new URL(ISSUER);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oauth2' }));
    const c: oauth.Client = { client_id: client.id };

    for (const auth of [oauth.ClientSecretBasic(secret), oauth.ClientSecretPost(secret)]) {
      const response = await oauth.clientCredentialsGrantRequest(as, c, auth, { scope: 'write' }, options);
      const result = await oauth.processClientCredentialsResponse(as, c, response);
      expect(result).toMatchObject({ token_type: 'bearer', expires_in: 3600, scope: 'write' });
      expect((await server.validateToken(result.access_token))?.scopes).toEqual(['write']);
    }

    const bad = await oauth.clientCredentialsGrantRequest(as, c, oauth.ClientSecretBasic('wrong'), {}, options);
    const err = await oauth.processClientCredentialsResponse(as, c, bad).catch((e: unknown) => e);
    // RFC 6749 §5.2: a failed Basic authentication carries a challenge, which oauth4webapi surfaces.
    expect(err).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect(err).toMatchObject({ status: 401, cause: [{ scheme: 'basic', parameters: { realm: ISSUER } }] });
  });
});
