import { describe, expect, it } from 'vitest';
import { TOKEN_HEADERS, rawBasic } from './helpers.js';
import { body, CHALLENGE, expectError, flowServer, getCode, REDIRECT, svcTokens, tokenRequest, USER, VERIFIER } from './flow-helpers.js';

const redeem = (code: string, over: Record<string, string> = {}) => ({
  grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER, ...over,
});

describe('authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.5–4.6)', () => {
  it('§4.1.4 a confidential client redeems its code with PKCE: access and refresh token, no-store', async () => {
    const { server, svcAuth } = await flowServer();
    const code = await getCode(server);
    const res = await server.token(tokenRequest(redeem(code), svcAuth));
    expect(res).toEqual({
      status: 200,
      headers: TOKEN_HEADERS,
      body: { access_token: expect.stringMatching(/^tfat_/), token_type: 'Bearer', expires_in: 3600, scope: 'read write', refresh_token: expect.stringMatching(/^tfrt_/) },
    });
    const info = await server.validateToken(body(res).access_token!);
    expect(info).toMatchObject({ clientId: 'svc', userId: USER, scopes: ['read', 'write'] });
    expect(info!.hasScope('write')).toBe(true);
  });

  it('case 1: the Basic credentials are form-urldecoded (secret "p+q%r s" sent as "p%2Bq%25r+s")', async () => {
    const { server } = await flowServer();
    const ok = await server.token(tokenRequest(redeem(await getCode(server)), rawBasic('svc:p%2Bq%25r+s')));
    expect(ok.status).toBe(200);
    const raw = await server.token(tokenRequest(redeem(await getCode(server)), rawBasic('svc:p+q%r s')));
    expectError(raw, 401, 'invalid_client');
  });

  it('a public client redeems with client_id and code_verifier (auth method none)', async () => {
    const { server } = await flowServer();
    const code = await getCode(server, { client_id: 'spa' });
    const res = await server.token(tokenRequest({ ...redeem(code), client_id: 'spa' }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(body(res).refresh_token).toMatch(/^tfrt_/);
  });

  it('case 3 (§3.2.1, RFC 9700 §2.1.1): PKCE does not replace client authentication: 401 invalid_client', async () => {
    const { server } = await flowServer();
    const res = await server.token(tokenRequest({ ...redeem(await getCode(server)), client_id: 'svc' }));
    expectError(res, 401, 'invalid_client');
  });

  it('case 10 (§4.1.2, §10.5): a replayed code is invalid_grant and revokes what the code produced', async () => {
    const { server, svcAuth } = await flowServer();
    const { access, refresh, code } = await svcTokens(server, svcAuth);
    expectError(await server.token(tokenRequest(redeem(code), svcAuth)), 400, 'invalid_grant');
    expect(await server.introspect(access)).toEqual({ active: false });
    expectError(await server.token(tokenRequest({ grant_type: 'refresh_token', refresh_token: refresh }, svcAuth)), 400, 'invalid_grant');
  });

  it.each([
    ['case 11: redirect_uri omitted', { redirect_uri: '' }],
    ['case 11: another redirect_uri', { redirect_uri: 'https://app.test/other' }],
    ['§4.1.3 a registered but different redirect_uri', { redirect_uri: 'http://127.0.0.1/cb' }],
  ])('RFC 6749 §5.2: %s → invalid_grant, and the code is not consumed: the correct request still succeeds', async (_name, over) => {
    const { server, svcAuth } = await flowServer();
    const code = await getCode(server);
    const params = Object.fromEntries(Object.entries(redeem(code, over)).filter(([, v]) => v !== ''));
    expectError(await server.token(tokenRequest(params, svcAuth)), 400, 'invalid_grant');
    expect((await server.token(tokenRequest(redeem(code), svcAuth))).status).toBe(200);
  });

  it('RFC 6749 §4.1.3 / §5.2: a code presented by another client → invalid_grant, and its own client can still redeem it', async () => {
    const { server, svcAuth, otherAuth } = await flowServer();
    const code = await getCode(server);
    expectError(await server.token(tokenRequest(redeem(code), otherAuth)), 400, 'invalid_grant');
    expect((await server.token(tokenRequest(redeem(code), svcAuth))).status).toBe(200);
  });

  it.each([
    ['case 14 style: RFC 7636 §4.6 wrong verifier', { code_verifier: 'x'.repeat(43) }],
    ['RFC 7636 §4.1 verifier too short (42)', { code_verifier: VERIFIER.slice(0, 42) }],
    ['RFC 7636 §4.1 verifier too long (129)', { code_verifier: 'a'.repeat(129) }],
    ['RFC 7636 §4.1 verifier with a character outside unreserved', { code_verifier: `${VERIFIER.slice(0, 42)}+` }],
    ['RFC 7636 §4.6 verifier missing', { code_verifier: '' }],
    ['RFC 7636 §4.6 the challenge sent as verifier', { code_verifier: CHALLENGE }],
  ])('%s → invalid_grant, and the code is burned', async (_name, over) => {
    const { server, svcAuth } = await flowServer();
    const code = await getCode(server);
    const params = Object.fromEntries(Object.entries(redeem(code, over)).filter(([, v]) => v !== ''));
    expectError(await server.token(tokenRequest(params, svcAuth)), 400, 'invalid_grant');
    expectError(await server.token(tokenRequest(redeem(code), svcAuth)), 400, 'invalid_grant');
  });

  it('case 14 (RFC 9700 §4.8.2): a verifier for a code issued without a challenge is a downgrade → invalid_grant', async () => {
    const { server, svcAuth } = await flowServer({ pkce: { required: false } });
    const code = await getCode(server, { code_challenge: undefined, code_challenge_method: undefined });
    expectError(await server.token(tokenRequest(redeem(code), svcAuth)), 400, 'invalid_grant');
    const code2 = await getCode(server, { code_challenge: undefined, code_challenge_method: undefined });
    const { code_verifier: _omit, ...withoutVerifier } = redeem(code2);
    expect((await server.token(tokenRequest(withoutVerifier, svcAuth))).status).toBe(200);
  });

  it('§4.1.3 a code issued to another client is invalid_grant', async () => {
    const { server, otherAuth } = await flowServer();
    expectError(await server.token(tokenRequest(redeem(await getCode(server)), otherAuth)), 400, 'invalid_grant');
  });

  it('§4.1.2 a code expires after 10 minutes: valid at 599.999 s, invalid_grant at 600 s', async () => {
    const { server, svcAuth, clock } = await flowServer();
    const early = await getCode(server);
    const late = await getCode(server);
    clock.now += 599_999;
    expect((await server.token(tokenRequest(redeem(early), svcAuth))).status).toBe(200);
    clock.now += 1;
    expectError(await server.token(tokenRequest(redeem(late), svcAuth)), 400, 'invalid_grant');
  });

  it.each([
    ['unknown code', 'tfac_' + 'A'.repeat(43)],
    ['not a code at all', 'hello'],
    ['a refresh-token-shaped value', 'tfrt_' + 'A'.repeat(43)],
  ])('%s → invalid_grant', async (_name, code) => {
    const { server, svcAuth } = await flowServer();
    expectError(await server.token(tokenRequest(redeem(code), svcAuth)), 400, 'invalid_grant');
  });

  it('§4.1.3 a missing code is invalid_request', async () => {
    const { server, svcAuth } = await flowServer();
    expectError(await server.token(tokenRequest({ grant_type: 'authorization_code', redirect_uri: REDIRECT }, svcAuth)), 400, 'invalid_request');
  });

  it('20 concurrent redemptions of one code: exactly one 200, nineteen invalid_grant, and the winner\'s tokens revoked', async () => {
    const { server, svcAuth } = await flowServer();
    const code = await getCode(server);
    const results = await Promise.all(Array.from({ length: 20 }, () => server.token(tokenRequest(redeem(code), svcAuth))));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 400 && body(r).error === 'invalid_grant')).toHaveLength(19);
    // The replays revoke the family, whichever order they ran in relative to the winner's save.
    expect(await server.introspect(body(winners[0]!).access_token!)).toEqual({ active: false });
  });

  it('the programmatic exchangeCode runs the same pipeline', async () => {
    const { server } = await flowServer();
    const code = await getCode(server);
    const tokens = await server.exchangeCode({ clientId: 'svc', clientSecret: 'p+q%r s', code, redirectUri: REDIRECT, codeVerifier: VERIFIER });
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'read write' });
    await expect(server.exchangeCode({ clientId: 'svc', clientSecret: 'p+q%r s', code, redirectUri: REDIRECT, codeVerifier: VERIFIER }))
      .rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('RFC 7636 §4.2 plain, when configured: the verifier equals the challenge', async () => {
    const { server, svcAuth } = await flowServer({ pkce: { methods: ['S256', 'plain'] } });
    const code = await getCode(server, { code_challenge: VERIFIER, code_challenge_method: 'plain' });
    expect((await server.token(tokenRequest(redeem(code), svcAuth))).status).toBe(200);
    const code2 = await getCode(server, { code_challenge: VERIFIER, code_challenge_method: undefined });
    expectError(await server.token(tokenRequest(redeem(code2, { code_verifier: CHALLENGE }), svcAuth)), 400, 'invalid_grant');
  });

  it('a code from generateAuthorizationCode (an application\'s own login) redeems like any other', async () => {
    const { server, svcAuth } = await flowServer();
    const { code } = await server.generateAuthorizationCode({ clientId: 'svc', userId: 'usr_external_42', redirectUri: REDIRECT, scopes: ['read'], codeChallenge: CHALLENGE });
    const res = await server.token(tokenRequest(redeem(code), svcAuth));
    expect(res.status).toBe(200);
    expect(await server.validateToken(body(res).access_token!)).toMatchObject({ userId: 'usr_external_42', scopes: ['read'] });
  });
});
