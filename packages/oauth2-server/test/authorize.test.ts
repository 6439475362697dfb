import { describe, expect, it } from 'vitest';
import type { AuthorizationDecision } from '../src/authorize/decision.js';
import { OAuth2Error } from '../src/errors.js';
import { ISSUER } from './helpers.js';
import { authParams, CHALLENGE, flowServer, REDIRECT, USER } from './flow-helpers.js';

function redirectParams(d: AuthorizationDecision): Record<string, string> {
  expect(d.type, JSON.stringify(d)).toBe('redirect');
  const url = new URL((d as { location: string }).location);
  return Object.fromEntries(url.searchParams);
}

describe('authorization request: client and redirect URI first (RFC 6749 §4.1.2.1)', () => {
  it.each([
    ['unknown client_id', { client_id: 'unknown', redirect_uri: 'https://evil.test' }],
    ['missing client_id', { client_id: undefined }],
    ['RFC 9700 §4.1 case differs', { redirect_uri: 'https://app.test/CB' }],
    ['RFC 9700 §4.1 dot segments', { redirect_uri: 'https://app.test/cb/../evil' }],
    ['RFC 9700 §4.1 added query', { redirect_uri: 'https://app.test/cb?x=1' }],
    ['RFC 9700 §4.1 suffix domain', { redirect_uri: 'https://app.test.evil.test/cb' }],
    ['RFC 9700 §4.1 trailing slash', { redirect_uri: 'https://app.test/cb/' }],
    ['RFC 8252 §7.3 loopback with another path', { redirect_uri: 'http://127.0.0.1:51234/other' }],
    ['RFC 8252 §7.3 localhost is not the loopback IP', { redirect_uri: 'http://localhost:51234/cb' }],
    ['RFC 6749 §3.1.2.4: a loopback port above 65535 is no URI', { redirect_uri: 'http://127.0.0.1:99999/cb' }],
    ['RFC 6749 §3.1.2.4: loopback port 65536', { redirect_uri: 'http://127.0.0.1:65536/cb' }],
  ])('%s → an error shown to the user, never a redirect', async (_name, over) => {
    const { server } = await flowServer();
    const d = await server.authorize({ params: authParams(over), userId: USER });
    expect(d).toMatchObject({ type: 'show-error', status: 400, error: 'invalid_request' });
    expect(JSON.stringify(d)).not.toContain('location');
  });

  it('§3.1 client_id or redirect_uri sent twice → shown, not redirected', async () => {
    const { server } = await flowServer();
    for (const name of ['client_id', 'redirect_uri']) {
      const params = { ...authParams(), [name]: [authParams()[name] as string, authParams()[name] as string] };
      expect((await server.authorize({ params, userId: USER })).type).toBe('show-error');
    }
  });

  it('§3.1.2.3 redirect_uri may be omitted only when exactly one is registered', async () => {
    const { server } = await flowServer();
    expect((await server.authorize({ params: authParams({ redirect_uri: undefined }), userId: USER })).type).toBe('show-error');
    const d = await server.decideConsent({ params: authParams({ client_id: 'spa', redirect_uri: undefined }), userId: USER, approved: true });
    expect((d as { location: string }).location.startsWith(`${REDIRECT}?code=`)).toBe(true);
  });

  it('RFC 8252 §7.3: a loopback redirect URI matches on any port, and the answer goes to that port', async () => {
    const { server } = await flowServer();
    const d = await server.decideConsent({ params: authParams({ redirect_uri: 'http://127.0.0.1:51234/cb' }), userId: USER, approved: true });
    expect((d as { location: string }).location.startsWith('http://127.0.0.1:51234/cb?code=')).toBe(true);
  });
});

describe('authorization request: errors after trust redirect with state and iss (RFC 6749 §4.1.2.1, RFC 9207)', () => {
  it.each([
    ['missing response_type', { response_type: undefined }, 'invalid_request'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['unknown scope', { scope: 'read delete' }, 'invalid_scope'],
    ['malformed scope', { scope: 'read  write' }, 'invalid_scope'],
    ['RFC 7636 §4.4.1 no code_challenge (PKCE required by default)', { code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'],
    ['RFC 7636 §4.3 code_challenge_method=plain', { code_challenge_method: 'plain', code_challenge: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' }, 'invalid_request'],
    ['RFC 7636 §4.3 challenge without method means plain', { code_challenge_method: undefined }, 'invalid_request'],
    ['RFC 7636 §4.2 challenge too short', { code_challenge: 'abc' }, 'invalid_request'],
    ['RFC 7636 §4.2 challenge with a forbidden character', { code_challenge: `${CHALLENGE.slice(0, 42)}+` }, 'invalid_request'],
    ['unknown code_challenge_method', { code_challenge_method: 'S512' }, 'invalid_request'],
    ['request objects', { request: 'eyJ...' }, 'invalid_request'],
  ])('%s → redirect with error=%s', async (_name, over, error) => {
    const { server } = await flowServer();
    const p = redirectParams(await server.authorize({ params: authParams(over), userId: USER }));
    expect(p).toMatchObject({ error, state: 'xyz', iss: ISSUER });
    expect(p['error_description']).toBeTruthy();
    expect(p['code']).toBeUndefined();
  });

  it('case 15: a public client without code_challenge gets invalid_request with its state', async () => {
    const { server } = await flowServer({ pkce: { required: false } });
    const p = redirectParams(await server.authorize({ params: authParams({ client_id: 'spa', code_challenge: undefined, code_challenge_method: undefined }), userId: USER }));
    expect(p).toMatchObject({ error: 'invalid_request', state: 'xyz', iss: ISSUER });
  });

  it('§4.1.2.1 unauthorized_client when the client may not use the code flow', async () => {
    const { server, store } = await flowServer();
    await store.clients.create({ id: 'm2m', name: 'm2m', secretHash: 'v1$x$y', grantTypes: ['client_credentials'], scopes: ['read'], redirectUris: [REDIRECT], createdAt: new Date(5) });
    expect(redirectParams(await server.authorize({ params: authParams({ client_id: 'm2m' }), userId: USER }))).toMatchObject({ error: 'unauthorized_client' });
  });

  it('§3.1 a repeated parameter after trust is invalid_request, redirected', async () => {
    const { server } = await flowServer();
    const p = redirectParams(await server.authorize({ params: { ...authParams(), scope: ['read', 'write'] }, userId: USER }));
    expect(p).toMatchObject({ error: 'invalid_request', state: 'xyz' });
  });

  it('§4.1.2.1 access_denied when the user denies', async () => {
    const { server } = await flowServer();
    const p = redirectParams(await server.decideConsent({ params: authParams(), userId: USER, approved: false }));
    expect(p).toMatchObject({ error: 'access_denied', state: 'xyz', iss: ISSUER });
  });

  it('§3.1.2 the redirect URI query is retained', async () => {
    const { server, store } = await flowServer();
    await store.clients.create({ id: 'q', name: 'q', secretHash: null, grantTypes: ['authorization_code'], scopes: ['read'], redirectUris: ['https://app.test/cb?tenant=1'], createdAt: new Date(5) });
    const d = await server.decideConsent({ params: authParams({ client_id: 'q', redirect_uri: 'https://app.test/cb?tenant=1', scope: 'read' }), userId: USER, approved: true });
    expect(redirectParams(d)).toMatchObject({ tenant: '1', state: 'xyz', iss: ISSUER });
  });
});

describe('authorization request: login and consent', () => {
  it('no user → need-login with what the login page shows', async () => {
    const { server } = await flowServer();
    expect(await server.authorize({ params: authParams() })).toEqual({
      type: 'need-login',
      request: { clientId: 'svc', clientName: 'Service', redirectUri: REDIRECT, scopes: ['read', 'write'], state: 'xyz', canRememberConsent: true },
    });
  });

  it('RFC 8252 §8.6: a public client is never approved automatically: remember is not offered, not stored, and an existing consent is ignored', async () => {
    const { server, store, clock } = await flowServer();
    const spa = authParams({ client_id: 'spa' });
    expect(await server.authorize({ params: spa, userId: USER })).toMatchObject({ type: 'need-consent', request: { clientId: 'spa', canRememberConsent: false } });
    expect(redirectParams(await server.decideConsent({ params: spa, userId: USER, approved: true, remember: true }))['code']).toBeTruthy();
    expect(await store.consents.get(USER, 'spa')).toBeNull();
    // A consent remembered before this rule (or written by hand) does not skip the page either.
    await store.consents.save({ userId: USER, clientId: 'spa', scopes: ['read', 'write'], updatedAt: new Date(clock.now) });
    expect((await server.authorize({ params: spa, userId: USER })).type).toBe('need-consent');
  });

  it('signed in without consent → need-consent; a remembered consent skips the page; forgetting it asks again', async () => {
    const { server } = await flowServer();
    expect(await server.authorize({ params: authParams(), userId: USER })).toMatchObject({ type: 'need-consent', userId: USER });
    const approved = redirectParams(await server.decideConsent({ params: authParams(), userId: USER, approved: true, remember: true }));
    expect(approved).toMatchObject({ state: 'xyz', iss: ISSUER });
    expect(approved['code']).toMatch(/^tfac_[A-Za-z0-9_-]{43}$/);
    expect(redirectParams(await server.authorize({ params: authParams({ scope: 'read' }), userId: USER }))['code']).toBeTruthy();
    // A consent covers only what was approved: another user, or no remember, asks again.
    expect((await server.authorize({ params: authParams(), userId: 'usr_bob' })).type).toBe('need-consent');
    await server.revokeConsent(USER, 'svc');
    expect((await server.authorize({ params: authParams(), userId: USER })).type).toBe('need-consent');
  });

  it('a failing store is shown as temporarily unavailable, never redirected', async () => {
    const { server, store } = await flowServer();
    store.consents.get = async () => {
      throw new Error('database is locked');
    };
    const d = await server.authorize({ params: authParams(), userId: USER });
    expect(d).toMatchObject({ type: 'show-error', status: 503, error: 'temporarily_unavailable' });
    expect(JSON.stringify(d)).not.toContain('locked');
  });
});

describe('generateAuthorizationCode', () => {
  it('issues a code (10 minutes by default) that only the bound client and redirect URI can redeem', async () => {
    const { server, clock } = await flowServer();
    const { code, expiresAt, redirectUri } = await server.generateAuthorizationCode({
      clientId: 'svc', userId: USER, redirectUri: REDIRECT, scopes: ['read'], codeChallenge: CHALLENGE,
    });
    expect(code).toMatch(/^tfac_/);
    expect(redirectUri).toBe(REDIRECT);
    expect(expiresAt.getTime() - clock.now).toBe(600_000);
  });

  it.each([
    ['unknown client', { clientId: 'nope' }, 'invalid_request'],
    ['unregistered redirect URI', { redirectUri: 'https://evil.test/cb' }, 'invalid_request'],
    ['scope the client may not have', { scopes: ['admin'] }, 'invalid_scope'],
    ['no PKCE challenge', { codeChallenge: undefined }, 'invalid_request'],
  ])('rejects %s with OAuth2Error %s', async (_name, over, error) => {
    const { server } = await flowServer();
    const err = await server
      .generateAuthorizationCode({ clientId: 'svc', userId: USER, redirectUri: REDIRECT, scopes: ['read'], codeChallenge: CHALLENGE, ...over })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuth2Error);
    expect((err as OAuth2Error).error).toBe(error);
  });
});
