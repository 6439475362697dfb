import { describe, expect, it } from 'vitest';
import { body, expectError, flowServer, getCode, REDIRECT, svcTokens, tokenRequest, USER, VERIFIER } from './flow-helpers.js';

const refreshWith = (refresh_token: string, over: Record<string, string> = {}) => ({ grant_type: 'refresh_token', refresh_token, ...over });

describe('refresh_token grant (RFC 6749 §6, RFC 9700 §4.14)', () => {
  it('§6 rotation: each use returns a new refresh token in the same grant; the old one stops working', async () => {
    const { server, svcAuth } = await flowServer();
    const { refresh: r1 } = await svcTokens(server, svcAuth);
    const res = await server.token(tokenRequest(refreshWith(r1), svcAuth));
    expect(res.status).toBe(200);
    expect(body(res)).toMatchObject({ token_type: 'Bearer', scope: 'read write', refresh_token: expect.stringMatching(/^tfrt_/) });
    expect(body(res).refresh_token).not.toBe(r1);
    expect(await server.validateToken(body(res).access_token!)).toMatchObject({ userId: USER, clientId: 'svc' });
  });

  it('case 16 (RFC 9700 §4.14.2): presenting R1 after rotation → invalid_grant, and R2 and the latest access token die too', async () => {
    const { server, svcAuth } = await flowServer();
    const { refresh: r1, access: a1 } = await svcTokens(server, svcAuth);
    const second = body(await server.token(tokenRequest(refreshWith(r1), svcAuth)));
    expectError(await server.token(tokenRequest(refreshWith(r1), svcAuth)), 400, 'invalid_grant');
    expectError(await server.token(tokenRequest(refreshWith(second.refresh_token!), svcAuth)), 400, 'invalid_grant');
    expect(await server.introspect(second.access_token!)).toEqual({ active: false });
    expect(await server.introspect(a1)).toEqual({ active: false });
  });

  it('§6 scope may only narrow: a subset applies to the access token, the refresh token keeps the grant scope', async () => {
    const { server, svcAuth } = await flowServer();
    const { refresh: r1 } = await svcTokens(server, svcAuth);
    const narrowed = body(await server.token(tokenRequest(refreshWith(r1, { scope: 'read' }), svcAuth)));
    expect(narrowed.scope).toBe('read');
    const again = body(await server.token(tokenRequest(refreshWith(narrowed.refresh_token!), svcAuth)));
    expect(again.scope).toBe('read write');
  });

  it('§6 a scope beyond the original grant → invalid_scope', async () => {
    const { server, svcAuth } = await flowServer();
    const code = await (await import('./flow-helpers.js')).getCode(server, { scope: 'read' });
    const first = body(await server.token(tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: 'https://app.test/cb', code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' }, svcAuth)));
    expectError(await server.token(tokenRequest(refreshWith(first.refresh_token!, { scope: 'read write' }), svcAuth)), 400, 'invalid_scope');
  });

  it('RFC 6749 §6 / §5.2: a refused wider scope does not consume the token: the next correct refresh succeeds and the family lives', async () => {
    const { server, svcAuth } = await flowServer();
    const code = await getCode(server, { scope: 'read' });
    const first = body(await server.token(tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER }, svcAuth)));
    expectError(await server.token(tokenRequest(refreshWith(first.refresh_token!, { scope: 'read write' }), svcAuth)), 400, 'invalid_scope');
    expectError(await server.token(tokenRequest(refreshWith(first.refresh_token!, { scope: 'read bogus%' }), svcAuth)), 400, 'invalid_scope');
    const next = await server.token(tokenRequest(refreshWith(first.refresh_token!), svcAuth));
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    expect(await server.validateToken(first.access_token!)).not.toBeNull();
    expect(await server.validateToken(body(next).access_token!)).not.toBeNull();
  });

  it('§6 bound to the client: another client gets invalid_grant and the token keeps working for its owner', async () => {
    const { server, svcAuth, otherAuth } = await flowServer();
    const { refresh } = await svcTokens(server, svcAuth);
    expectError(await server.token(tokenRequest(refreshWith(refresh), otherAuth)), 400, 'invalid_grant');
    expect((await server.token(tokenRequest(refreshWith(refresh), svcAuth))).status).toBe(200);
  });

  it('case 9 (§4.4.3): client_credentials never returns a refresh token', async () => {
    const { server, svcAuth } = await flowServer();
    const res = await server.token(tokenRequest({ grant_type: 'client_credentials' }, svcAuth));
    expect(res.status).toBe(200);
    expect(body(res)).not.toHaveProperty('refresh_token');
  });

  it('no refresh token for a client not registered for the refresh_token grant', async () => {
    const { server, store } = await flowServer();
    await store.clients.create({ id: 'norefresh', name: 'n', secretHash: null, grantTypes: ['authorization_code'], scopes: ['read'], redirectUris: ['https://app.test/cb'], createdAt: new Date(9) });
    const { getCode, VERIFIER, REDIRECT } = await import('./flow-helpers.js');
    const code = await getCode(server, { client_id: 'norefresh', scope: 'read' });
    const res = await server.token(tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER, client_id: 'norefresh' }));
    expect(res.status).toBe(200);
    expect(body(res)).not.toHaveProperty('refresh_token');
  });

  it('a refresh token expires after refreshTokenTtl', async () => {
    const { server, svcAuth, clock } = await flowServer({ refreshTokenTtl: 100 });
    const { refresh } = await svcTokens(server, svcAuth);
    clock.advance(100);
    expectError(await server.token(tokenRequest(refreshWith(refresh), svcAuth)), 400, 'invalid_grant');
  });

  it.each([['unknown', 'tfrt_' + 'B'.repeat(43)], ['an access token', 'tfat_' + 'B'.repeat(43)], ['garbage', '%%%']])('%s refresh token → invalid_grant', async (_n, token) => {
    const { server, svcAuth } = await flowServer();
    expectError(await server.token(tokenRequest(refreshWith(token), svcAuth)), 400, 'invalid_grant');
  });

  it('RFC 9700 §4.14.2: 20 concurrent refreshes with one token: at most one 200, the reuses revoke even its tokens (grace window off by default)', async () => {
    const { server, svcAuth } = await flowServer();
    const { refresh } = await svcTokens(server, svcAuth);
    const results = await Promise.all(Array.from({ length: 20 }, () => server.token(tokenRequest(refreshWith(refresh), svcAuth))));
    const winners = results.filter((r) => r.status === 200);
    expect(winners.length).toBeLessThanOrEqual(1);
    expect(results.filter((r) => r.status === 400 && body(r).error === 'invalid_grant')).toHaveLength(20 - winners.length);
    for (const w of winners) expect(await server.validateToken(body(w).access_token!)).toBeNull();
  });

  it('optional grace window: a rotated token still works for N seconds, then reuse revokes the family', async () => {
    const { server, svcAuth, clock } = await flowServer({ refreshTokenGracePeriod: 10 });
    const { refresh } = await svcTokens(server, svcAuth);
    const a = await server.token(tokenRequest(refreshWith(refresh), svcAuth));
    clock.advance(9);
    const b = await server.token(tokenRequest(refreshWith(refresh), svcAuth));
    expect([a.status, b.status]).toEqual([200, 200]);
    clock.advance(1);
    expectError(await server.token(tokenRequest(refreshWith(refresh), svcAuth)), 400, 'invalid_grant');
    expect(await server.introspect(body(b).access_token!)).toEqual({ active: false });
  });

  it.each(['accessTokens', 'refreshTokens'] as const)('a store failure while saving the new %s is a 503 the client may retry: the retry with the same refresh token succeeds and the family lives', async (table) => {
    const { server, store, svcAuth } = await flowServer();
    const { refresh: r1, access: a1 } = await svcTokens(server, svcAuth);
    const save = store[table].save.bind(store[table]) as (t: never) => Promise<void>;
    let failNext = true;
    store[table].save = (t: never) => {
      if (!failNext) return save(t);
      failNext = false;
      return Promise.reject(new Error('Connection terminated unexpectedly'));
    };
    expectError(await server.token(tokenRequest(refreshWith(r1), svcAuth)), 503, 'temporarily_unavailable');
    // RFC 9700 §4.14.2 revokes a family when a rotated token comes back: a 503 must not have rotated it.
    const retry = await server.token(tokenRequest(refreshWith(r1), svcAuth));
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(await server.validateToken(a1)).not.toBeNull();
    expect((await server.token(tokenRequest(refreshWith(body(retry).refresh_token!), svcAuth))).status).toBe(200);
  });

  it('the programmatic refresh runs the same pipeline', async () => {
    const { server, svcAuth } = await flowServer();
    const { refresh } = await svcTokens(server, svcAuth);
    const tokens = await server.refresh({ clientId: 'svc', clientSecret: 'p+q%r s', refreshToken: refresh, scopes: ['read'] });
    expect(tokens.scope).toBe('read');
    await expect(server.refresh({ clientId: 'svc', clientSecret: 'p+q%r s', refreshToken: refresh })).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
