import { describe, expect, it } from 'vitest';
import type { OAuth2Metrics } from '../src/metrics.js';
import { BASIC_CHALLENGE, TOKEN_HEADERS, basic, form } from './helpers.js';
import { flowServer, getCode, REDIRECT, SVC_SECRET, tokenRequest, VERIFIER } from './flow-helpers.js';

type Setup = Awaited<ReturnType<typeof flowServer>>;

/** RFC 6749 §5.2, one row per error, with the exact status and headers. */
const table: Array<{ name: string; request: (s: Setup) => Promise<ReturnType<typeof form>>; status: number; error: string; challenge?: boolean }> = [
  { name: 'case 8: unknown grant_type urn:example:x → unsupported_grant_type', request: async (s) => tokenRequest({ grant_type: 'urn:example:x' }, s.svcAuth), status: 400, error: 'unsupported_grant_type' },
  { name: 'case 8: password grant not enabled → unsupported_grant_type', request: async (s) => tokenRequest({ grant_type: 'password', username: 'a', password: 'b' }, s.svcAuth), status: 400, error: 'unsupported_grant_type' },
  { name: 'case 8: client not allowed this grant → unauthorized_client', request: async () => tokenRequest({ grant_type: 'client_credentials', client_id: 'spa' }), status: 400, error: 'unauthorized_client' },
  { name: 'case 2: wrong secret over Basic → 401 invalid_client with a Basic challenge', request: async () => tokenRequest({ grant_type: 'client_credentials' }, basic('svc', 'wrong')), status: 401, error: 'invalid_client', challenge: true },
  { name: 'case 2: unknown client over Basic → the very same answer', request: async () => tokenRequest({ grant_type: 'client_credentials' }, basic('nobody', SVC_SECRET)), status: 401, error: 'invalid_client', challenge: true },
  { name: 'wrong secret in the body → 401 invalid_client', request: async () => tokenRequest({ grant_type: 'client_credentials', client_id: 'svc', client_secret: 'wrong' }), status: 401, error: 'invalid_client' },
  { name: 'case 8: bad code → invalid_grant', request: async (s) => tokenRequest({ grant_type: 'authorization_code', code: 'tfac_' + 'E'.repeat(43), redirect_uri: REDIRECT, code_verifier: VERIFIER }, s.svcAuth), status: 400, error: 'invalid_grant' },
  { name: 'case 8: bad refresh token → invalid_grant', request: async (s) => tokenRequest({ grant_type: 'refresh_token', refresh_token: 'nope' }, s.svcAuth), status: 400, error: 'invalid_grant' },
  { name: 'case 8: unknown scope → invalid_scope', request: async (s) => tokenRequest({ grant_type: 'client_credentials', scope: 'read delete' }, s.svcAuth), status: 400, error: 'invalid_scope' },
  { name: 'case 5: JSON body → invalid_request', request: async (s) => ({ method: 'POST', headers: { 'content-type': 'application/json', authorization: s.svcAuth }, body: '{"grant_type":"client_credentials"}' }), status: 400, error: 'invalid_request' },
  { name: 'case 6: grant_type twice → invalid_request', request: async (s) => form('grant_type=client_credentials&grant_type=client_credentials', { authorization: s.svcAuth }), status: 400, error: 'invalid_request' },
  { name: '§2.3 two client authentication methods → invalid_request', request: async (s) => tokenRequest({ grant_type: 'client_credentials', client_id: 'svc', client_secret: SVC_SECRET }, s.svcAuth), status: 400, error: 'invalid_request' },
  { name: '§2.3 client_secret_post with client_id and Basic for another → invalid_request', request: async (s) => tokenRequest({ grant_type: 'client_credentials', client_id: 'other' }, s.svcAuth), status: 400, error: 'invalid_request' },
  { name: 'a public client cannot use client_credentials → unauthorized_client', request: async (s) => { await s.store.clients.create({ id: 'pubcc', name: 'p', secretHash: null, grantTypes: ['client_credentials'], scopes: ['read'], redirectUris: [], createdAt: new Date(8) }); return tokenRequest({ grant_type: 'client_credentials', client_id: 'pubcc' }); }, status: 400, error: 'unauthorized_client' },
];

describe('token endpoint error table (RFC 6749 §5.2)', () => {
  it.each(table)('$name', async ({ request, status, error, challenge }) => {
    const s = await flowServer();
    const res = await s.server.token(await request(s));
    expect({ status: res.status, error: (res.body as { error: string }).error }).toEqual({ status, error });
    expect(res.headers).toEqual({ ...TOKEN_HEADERS, ...(challenge ? { 'www-authenticate': BASIC_CHALLENGE } : {}) });
    expect(res.headers).not.toHaveProperty('etag');
  });

  it('case 2: the unknown-client and wrong-secret answers are byte-identical', async () => {
    const s = await flowServer();
    const a = await s.server.token(tokenRequest({ grant_type: 'client_credentials' }, basic('svc', 'wrong')));
    const b = await s.server.token(tokenRequest({ grant_type: 'client_credentials' }, basic('nobody', 'wrong')));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('metrics sink', () => {
  it('is called exactly once per token response: the grant on success, the RFC error code on failure', async () => {
    const calls: string[] = [];
    const metrics: OAuth2Metrics = { tokenIssued: (g) => calls.push(`issued:${g}`), tokenError: (e) => calls.push(`error:${e}`) };
    const s = await flowServer({ metrics });
    const code = await getCode(s.server);
    await s.server.token(tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER }, s.svcAuth));
    await s.server.token(tokenRequest({ grant_type: 'client_credentials' }, s.svcAuth));
    await s.server.token(tokenRequest({ grant_type: 'client_credentials' }, basic('svc', 'wrong')));
    await s.server.token(tokenRequest({ grant_type: 'urn:example:x' }, s.svcAuth));
    await s.server.token({ method: 'POST', headers: {}, body: '' });
    expect(calls).toEqual(['issued:authorization_code', 'issued:client_credentials', 'error:invalid_client', 'error:unsupported_grant_type', 'error:invalid_request']);
  });

  it('a throwing sink does not change the response', async () => {
    const s = await flowServer({ metrics: { tokenIssued: () => { throw new Error('x'); }, tokenError: () => { throw new Error('y'); } } });
    expect((await s.server.token(tokenRequest({ grant_type: 'client_credentials' }, s.svcAuth))).status).toBe(200);
  });
});
