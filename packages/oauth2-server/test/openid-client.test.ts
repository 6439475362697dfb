import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyedHasher } from '../src/internal/keyed-hasher.js';
import { MemoryStore } from '../src/memory-store.js';
import { OAuth2Server } from '../src/oauth2-server.js';
import type { EndpointResponse } from '../src/types.js';
import { SECRET_KEY } from './helpers.js';
import { REDIRECT, SVC_SECRET, USER } from './flow-helpers.js';

/**
 * The thinnest possible node:http adapter: what the server phase's Fastify routes do, in a few
 * lines — proof that the core's plain request/response shape is all an adapter needs.
 */
function adapter(oauth: OAuth2Server) {
  const json = (body: unknown, cache = 'no-store'): EndpointResponse => ({ status: 200, headers: { 'content-type': 'application/json', 'cache-control': cache }, body });
  return async (req: IncomingMessage, body: string): Promise<EndpointResponse> => {
    const url = new URL(req.url ?? '/', 'http://adapter');
    const request = { method: req.method ?? 'GET', headers: { ...req.headers, authorization: req.headersDistinct.authorization, 'content-type': req.headersDistinct['content-type'] }, body };
    switch (url.pathname) {
      case '/.well-known/oauth-authorization-server': return json(oauth.metadata(), 'public, max-age=300');
      case oauth.endpoints.jwks: return json(await oauth.jwks(), 'public, max-age=300');
      case oauth.endpoints.token: return oauth.token(request);
      case oauth.endpoints.revocation: return oauth.revocation(request);
      case oauth.endpoints.introspection: return oauth.introspection(request);
      default: return { status: 404, headers: {}, body: '' };
    }
  };
}

let http: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  http = undefined;
});

async function start(options: Partial<ConstructorParameters<typeof OAuth2Server>[0]> = {}) {
  let issuer = 'http://127.0.0.1';
  const store = new MemoryStore();
  const oauth = new OAuth2Server({ store, issuer: () => issuer, secretKey: SECRET_KEY, scopesSupported: ['read', 'write'], ...options });
  await store.clients.create({
    id: 'svc', name: 'Service', secretHash: new KeyedHasher(SECRET_KEY).hashClientSecret(SVC_SECRET),
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], scopes: ['read', 'write'], redirectUris: [REDIRECT], createdAt: new Date(),
  });
  const handle = adapter(oauth);
  http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, Buffer.concat(chunks).toString('utf8')).then((r) => {
        res.writeHead(r.status, r.headers).end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
      });
    });
  });
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  // openid-client compares the issuer with the discovery URL's href, which ends in "/".
  issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  const config = await client.discovery(new URL(issuer), 'svc', {}, client.ClientSecretBasic(SVC_SECRET), {
    execute: [client.allowInsecureRequests],
    algorithm: 'oauth2',
  });
  return { oauth, config, issuer };
}

/** The user's part, which the server phase renders as login and consent pages: here the approval is direct. */
async function approve(oauth: OAuth2Server, authorizationUrl: URL): Promise<URL> {
  const decision = await oauth.decideConsent({ params: Object.fromEntries(authorizationUrl.searchParams), userId: USER, approved: true });
  if (decision.type !== 'redirect') throw new Error(JSON.stringify(decision));
  return new URL(decision.location);
}

describe('interoperability with openid-client v6 over a real socket', () => {
  it('discovery, authorization code + PKCE (with RFC 9207 iss check), refresh rotation and reuse detection, introspection, revocation', async () => {
    const { oauth, config } = await start();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'read write', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    expect(url.pathname).toBe('/oauth/authorize');
    const tokens = await client.authorizationCodeGrant(config, await approve(oauth, url), { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'read write', expires_in: 3600 });
    expect(tokens.refresh_token).toMatch(/^tfrt_/);

    const introspected = await client.tokenIntrospection(config, tokens.access_token);
    expect(introspected).toMatchObject({ active: true, client_id: 'svc', sub: USER, scope: 'read write' });

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!, { scope: 'read' });
    expect(refreshed.scope).toBe('read');
    // Reuse of the rotated token: invalid_grant, and the whole family is gone.
    const reuse = await client.refreshTokenGrant(config, tokens.refresh_token!).catch((e: unknown) => e);
    expect(reuse).toBeInstanceOf(client.ResponseBodyError);
    expect(reuse).toMatchObject({ error: 'invalid_grant', status: 400 });
    expect((await client.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);

    const again = await client.clientCredentialsGrant(config, { scope: 'write' });
    await client.tokenRevocation(config, again.access_token);
    expect((await client.tokenIntrospection(config, again.access_token)).active).toBe(false);
  });

  it('a wrong iss in the authorization response is refused by the client (RFC 9207)', async () => {
    const { oauth, config } = await start();
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'read', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const callback = await approve(oauth, url);
    callback.searchParams.set('iss', 'https://evil.example/');
    await expect(client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier })).rejects.toThrow();
  });

  it('JWT access tokens verify against the served jwks_uri', async () => {
    const { config, issuer } = await start({ accessTokenFormat: 'jwt' });
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read' });
    const jwksUri = config.serverMetadata().jwks_uri!;
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(jwksUri)), { issuer, audience: issuer, typ: 'at+jwt' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ client_id: 'svc', sub: 'svc', scope: 'read' });
  });
});
